import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describeConfigKeys } from '../apps/agent/src/config/config-schema.js';
import { DEPLOY_DIR, REPO_ROOT, outputOf, runTool } from './deploy-helpers.js';

const INSTALL_SH = join(DEPLOY_DIR, 'install.sh');
const AGENT_MAIN = join(REPO_ROOT, 'apps', 'agent', 'dist', 'main.js');

/** Every shell script of the deployment kit. */
function shellScripts(dir = DEPLOY_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return shellScripts(path);
    return entry.name.endsWith('.sh') ? [path] : [];
  });
}

/** Dotted paths of every leaf in a parsed config object (`nats.servers`, …). */
function leafKeys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafKeys(child, prefix ? `${prefix}.${key}` : key));
}

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('deploy/install.sh', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rigbench-install-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  const install = (...args: string[]) =>
    runTool('bash', [
      INSTALL_SH,
      '--dry-run',
      '--root',
      root,
      '--agent-id',
      'gpu-box-1',
      '--advertise',
      'gpu-box-1.lan:50051',
      '--nats',
      'nats://nats-1.lan:4222,nats://nats-2.lan:4222',
      '--nats-password',
      'pw with "quotes" and: colon',
      ...args,
    ]);

  test.each(shellScripts().map((path) => relative(REPO_ROOT, path)))(
    'bash -n and shellcheck - %s is clean',
    (name) => {
      const script = join(REPO_ROOT, name);
      const syntax = runTool('bash', ['-n', script]);
      expect(outputOf(syntax)).toBe('');
      expect(syntax.status).toBe(0);
      const lint = runTool('shellcheck', ['--shell=bash', '--severity=style', script]);
      expect(outputOf(lint)).toBe('');
      expect(lint.status).toBe(0);
    },
  );

  test('--dry-run --root - writes config, token and units under the root, only prints system changes', () => {
    const result = install('--collector', '--timers', '--labels', 'gpu=p104-100,site=dorm');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const file of [
      'etc/rigbench/agent.yaml',
      'etc/rigbench/agent.token',
      'etc/rigbench/controller.env',
      'etc/systemd/system/rigbench-agent.service',
      'etc/systemd/system/rigbench-collector.service',
      'etc/systemd/system/rigbench-run@.service',
      'etc/systemd/system/rigbench-run-morning.timer',
      'etc/systemd/system/rigbench-run-night.timer',
      'etc/rigbench/plans/seed-p104.yaml',
    ]) {
      expect([file, existsSync(join(root, file))]).toEqual([file, true]);
    }
    for (const dir of ['var/lib/rigbench/models', 'var/lib/rigbench/outbox', 'var/lib/rigbench/controller']) {
      expect([dir, statSync(join(root, dir)).isDirectory()]).toEqual([dir, true]);
    }
    // The timers' plan is the one staged.
    const plan = /^RIGBENCH_PLAN=(.+)$/m.exec(
      readFileSync(join(root, 'etc/rigbench/controller.env'), 'utf8'),
    )?.[1];
    expect(readFileSync(join(root, plan ?? 'missing'), 'utf8')).toBe(
      readFileSync(join(REPO_ROOT, 'examples/seed-p104.yaml'), 'utf8'),
    );
    // Secrets are not world-readable.
    expect(mode(join(root, 'etc/rigbench/agent.token'))).toBe('640');
    expect(mode(join(root, 'etc/rigbench/agent.yaml'))).toBe('640');
    expect(readFileSync(join(root, 'etc/rigbench/agent.token'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    // System changes are printed, not made.
    expect(result.stdout).toMatch(/^would run: useradd --system .* rigbench$/m);
    expect(result.stdout).toMatch(
      /^would run: chown rigbench:rigbench \/var\/lib\/rigbench \/var\/lib\/rigbench\/outbox$/m,
    );
    // Never recursive below /var/lib/rigbench: a models share may be mounted there.
    expect(result.stdout).not.toMatch(/chown -R \S+ \/var\/lib/);
    expect(result.stdout).not.toMatch(/systemctl/);
    // The units are the shipped ones (same prefix and node path here).
    expect(readFileSync(join(root, 'etc/systemd/system/rigbench-agent.service'), 'utf8')).toBe(
      readFileSync(join(DEPLOY_DIR, 'systemd/rigbench-agent.service'), 'utf8').replaceAll(
        '/usr/bin/node',
        runTool('sh', ['-c', 'command -v node']).stdout.trim(),
      ),
    );
  });

  test('--nats-user ID --nats-password-file - - the password comes from stdin, never the command line', () => {
    const result = runTool(
      'bash',
      [
        INSTALL_SH,
        ...['--dry-run', '--root', root, '--agent-id', 'gpu-box-1', '--advertise', 'gpu-box-1.lan:50051'],
        ...['--nats-user', 'gpu-box-1', '--nats-password-file', '-'],
      ],
      { input: 'pw from stdin: #1\nsecond line ignored\n' },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(parseYaml(readFileSync(join(root, 'etc/rigbench/agent.yaml'), 'utf8'))).toMatchObject({
      nats: { user: 'gpu-box-1', password: 'pw from stdin: #1' },
    });
    expect(result.stdout).not.toContain('pw from stdin');
    // The next steps name the per-agent NATS user and the per-agent token, not a shared token.
    expect(result.stdout).toContain('deploy/nats/agent-user.sh gpu-box-1');
    expect(result.stdout).toContain('RIGBENCH_AGENT_TOKENS_DIR) as gpu-box-1.token');
    const empty = runTool('bash', [INSTALL_SH, '--dry-run', '--root', root, '--nats-password-file', '-'], {
      input: '\n',
    });
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain("--nats-password-file: '-' gave an empty first line");
  });

  test('--models-dir on an existing share - left as it is (no chmod, no chown), with a note', () => {
    mkdirSync(join(root, 'srv/models'), { recursive: true, mode: 0o555 });
    const result = install('--models-dir', '/srv/models');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("note: /srv/models exists; make sure the 'rigbench' user can read it");
    expect(result.stdout).not.toMatch(/chown .*\/srv\/models/);
    expect(mode(join(root, 'srv/models'))).toBe('555');
    expect(parseYaml(readFileSync(join(root, 'etc/rigbench/agent.yaml'), 'utf8'))).toMatchObject({
      modelsDir: '/srv/models',
    });
  });

  test('agent.yaml - holds only keys the agent knows, with the given values', () => {
    install('--labels', 'gpu=p104-100', '--stream-replicas', '3');
    const config = parseYaml(readFileSync(join(root, 'etc/rigbench/agent.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const known = new Set(describeConfigKeys().map((key) => key.key));
    expect(leafKeys(config).filter((key) => !known.has(key))).toEqual([]);
    expect(config).toMatchObject({
      id: 'gpu-box-1',
      labels: 'gpu=p104-100',
      listen: '0.0.0.0:50051',
      advertise: 'gpu-box-1.lan:50051',
      modelsDir: '/var/lib/rigbench/models',
      nats: {
        servers: ['nats://nats-1.lan:4222', 'nats://nats-2.lan:4222'],
        user: 'agent',
        password: 'pw with "quotes" and: colon',
        streamReplicas: 3,
      },
      metrics: { listen: '0.0.0.0:9464' },
      auth: { tokenFile: '/etc/rigbench/agent.token' },
      outbox: { dir: '/var/lib/rigbench/outbox' },
    });
  });

  test('agent.yaml - the real rigbench-agent accepts it (--print-config, secrets masked)', () => {
    if (!existsSync(AGENT_MAIN)) throw new Error(`${AGENT_MAIN} is missing: build first with 'npx tsc -b'`);
    install();
    const result = runTool(process.execPath, [
      AGENT_MAIN,
      '--config',
      join(root, 'etc/rigbench/agent.yaml'),
      '--print-config',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const printed = JSON.parse(result.stdout) as { id: string; nats: { password: string } };
    expect(printed.id).toBe('gpu-box-1');
    expect(printed.nats.password).not.toContain('quotes');
  });

  test('controller.env - sets only variables the controller config reads (plus the timers plan)', () => {
    install('--collector');
    const schema = readFileSync(join(REPO_ROOT, 'apps/controller/src/config/config-schema.ts'), 'utf8');
    const controllerEnv = new Set([...schema.matchAll(/env: '(\w+)'/g)].map((m) => m[1]));
    const set = [
      ...readFileSync(join(root, 'etc/rigbench/controller.env'), 'utf8').matchAll(/^(\w+)=/gm),
    ].map((m) => m[1] ?? '');
    expect(set.length).toBeGreaterThan(2);
    expect(set.filter((name) => !controllerEnv.has(name) && name !== 'RIGBENCH_PLAN')).toEqual([]);
  });

  test('re-run - keeps the token and the config; prints the Prometheus target and controller entry', () => {
    install();
    const token = readFileSync(join(root, 'etc/rigbench/agent.token'), 'utf8');
    const again = install('--agent-id', 'renamed');
    expect(again.status).toBe(0);
    expect(readFileSync(join(root, 'etc/rigbench/agent.token'), 'utf8')).toBe(token);
    expect(readFileSync(join(root, 'etc/rigbench/agent.yaml'), 'utf8')).toContain('id: "gpu-box-1"');
    expect(again.stdout).toContain('kept the existing token');
    const target = /^\s+(\{ "targets": .*\})$/m.exec(again.stdout)?.[1];
    expect(JSON.parse(target ?? 'null')).toEqual({
      targets: ['gpu-box-1.lan:9464'],
      labels: { node: 'renamed' },
    });
    expect(again.stdout).toContain('rigbench info renamed');
  });

  test('--from TARBALL - unpacks a release tarball into the prefix (printed in a dry run)', () => {
    const tarball = join(root, '..', `${basename(root)}-rigbench-0.1.0.tar.gz`);
    const content = mkdtempSync(join(tmpdir(), 'rigbench-release-'));
    try {
      mkdirSync(join(content, 'rigbench-0.1.0'));
      writeFileSync(join(content, 'rigbench-0.1.0', 'package.json'), '{}');
      runTool('tar', ['-czf', tarball, '-C', content, 'rigbench-0.1.0']);
      const result = install('--from', tarball, '--prefix', '/srv/rigbench');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`would run: tar -xzf ${tarball} -C /srv/rigbench --strip-components=1`);
      // The units follow the prefix.
      const unit = readFileSync(join(root, 'etc/systemd/system/rigbench-agent.service'), 'utf8');
      expect(unit).toContain('/srv/rigbench/apps/agent/dist/main.js --config /etc/rigbench/agent.yaml');
      expect(unit).not.toContain('/opt/rigbench');
      const missing = install('--from', join(root, 'nope.tar.gz'));
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toContain('no such file or folder');
    } finally {
      rmSync(content, { recursive: true, force: true });
      rmSync(tarball, { force: true });
    }
  });

  test('bad input - an unknown option or a relative prefix fails with a message, writing nothing', () => {
    const unknown = install('--frobnicate');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
    const relative = install('--prefix', 'opt/rigbench');
    expect(relative.status).not.toBe(0);
    expect(relative.stderr).toContain('--prefix must be an absolute path');
    expect(readdirSync(root)).toEqual([]);
  });
});
