/** Certificates for the TLS scenarios, made with `openssl` at test time (P-256 keys: fast) in a temp dir. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A directory of PEM files: `<name>.pem` (certificate) and `<name>.key` (private key). */
export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'rigbench-faults-pki-'));

  file(name: string): string {
    return join(this.dir, name);
  }

  private openssl(...args: string[]): void {
    const result = spawnSync('openssl', args, { encoding: 'utf8' });
    if (result.error) {
      throw new Error(`openssl not found: install it with 'apt-get install openssl'`, {
        cause: result.error,
      });
    }
    if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${result.stderr}`);
  }

  /** A self-signed certificate: a CA when `ca`, otherwise a lone leaf nobody vouches for. */
  selfSigned(name: string, ca = true): this {
    this.openssl(
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', this.file(`${name}.key`), '-out', this.file(`${name}.pem`), '-days', '2'],
      ...['-subj', `/CN=${name}`, ...(ca ? [] : ['-addext', 'basicConstraints=critical,CA:FALSE'])],
    );
    return this;
  }

  /** A leaf certificate for `san` (e.g. `DNS:localhost`; '' for none, CN only) signed by the CA `caName`. */
  leaf(name: string, caName: string, san: string, extra: string[] = []): this {
    const lines = [...(san === '' ? [] : [`subjectAltName=${san}`]), ...extra];
    writeFileSync(this.file(`${name}.ext`), `${lines.join('\n')}\n`);
    this.openssl(
      ...['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', this.file(`${name}.key`), '-out', this.file(`${name}.csr`), '-subj', `/CN=${name}`],
    );
    this.openssl(
      ...['x509', '-req', '-in', this.file(`${name}.csr`), '-CA', this.file(`${caName}.pem`)],
      ...['-CAkey', this.file(`${caName}.key`), '-CAcreateserial', '-out', this.file(`${name}.pem`)],
      ...['-days', '2', '-extfile', this.file(`${name}.ext`)],
    );
    return this;
  }
}
