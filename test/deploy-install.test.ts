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
import { controllerEnvNames } from '../apps/controller/src/config/config-schema.js';
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

const NATS_PASSWORD = 'pw with "quotes" and: colon';

describe('deploy/install.sh', () => {
  let root: string;
  let secrets: string;
  let passwordFile: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rigbench-install-'));
    secrets = mkdtempSync(join(tmpdir(), 'rigbench-install-secrets-'));
    passwordFile = join(secrets, 'agent.pw');
    writeFileSync(passwordFile, `${NATS_PASSWORD}\n`, { mode: 0o600 });
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(secrets, { recursive: true, force: true });
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
      '--nats-password-file',
      passwordFile,
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
    const result = install('--agent', '--collector', '--timers', '--labels', 'gpu=p104-100,site=dorm');
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
    const controllerEnv = new Set(controllerEnvNames());
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
      expect(result.stdout).toContain(
        `would run: tar -xzf ${tarball} -C /srv/rigbench.new --strip-components=1`,
      );
      // The units follow the prefix.
      const unit = readFileSync(join(root, 'etc/systemd/system/rigbench-agent.service'), 'utf8');
      expect(unit).toContain(
        '/srv/rigbench/apps/agent/bin/rigbench-agent.js --config /etc/rigbench/agent.yaml',
      );
      expect(unit).not.toContain('/opt/rigbench');
      const missing = install('--from', join(root, 'nope.tar.gz'));
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toContain('no such file or folder');
    } finally {
      rmSync(content, { recursive: true, force: true });
      rmSync(tarball, { force: true });
    }
  });

  /** A minimal built checkout: the parts install.sh copies, with an agent entry point that prints `version`. */
  function fakeCheckout(dir: string, version: string, extraFile?: string): void {
    const write = (path: string, content: string) => {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content);
    };
    write('package.json', '{"name":"rigbench","private":true,"type":"module"}');
    write('package-lock.json', '{}');
    write('node_modules/.package-lock.json', '{}');
    write('proto/rigbench/v1/agent.proto', 'syntax = "proto3";\n');
    write('deploy/README.md', version);
    for (const app of ['libs/shared', 'apps/agent', 'apps/controller'])
      write(`${app}/package.json`, '{"type":"module"}');
    write('libs/shared/dist/index.js', 'export {};\n');
    write('apps/controller/dist/cli.js', `console.log('controller ${version}');\n`);
    write('apps/agent/dist/main.js', `console.log('agent ${version}');\n`);
    // The real launchers the units start (they import ../dist/…).
    for (const launcher of ['apps/agent/bin/rigbench-agent.js', 'apps/controller/bin/rigbench.js']) {
      write(launcher, readFileSync(join(REPO_ROOT, launcher), 'utf8'));
    }
    if (extraFile) write(extraFile, `only in ${version}\n`);
  }

  test('upgrade - a re-install in a --root staging dir replaces the code: the new code is what runs', () => {
    const source = mkdtempSync(join(tmpdir(), 'rigbench-install-src-'));
    try {
      const stage = (...args: string[]) =>
        runTool('bash', [INSTALL_SH, '--root', root, '--from', source, '--agent-id', 'gpu-box-1', ...args], {
          input: 'pw\n',
        });
      // What rigbench-agent.service starts (its ExecStart, with the prefix of this staging root).
      const unitExec = () =>
        /^ExecStart=\S+ (\S+)/m.exec(
          readFileSync(join(root, 'etc/systemd/system/rigbench-agent.service'), 'utf8'),
        )?.[1] ?? '';
      const agentMain = () => join(root, unitExec());
      fakeCheckout(source, 'v1', 'apps/agent/dist/removed-in-v2.js');
      const first = stage('--nats-password-stdin');
      expect(outputOf(first)).toContain(`installed ${join(root, 'opt/rigbench')}`);
      expect(first.status).toBe(0);
      expect(runTool(process.execPath, [agentMain()]).stdout).toBe('agent v1\n');

      rmSync(source, { recursive: true, force: true });
      fakeCheckout(source, 'v2');
      const second = stage('--nats-password-stdin');
      expect(second.status).toBe(0);
      expect(second.stdout).toContain(`replaced ${join(root, 'opt/rigbench')} (upgrade)`);
      expect(runTool(process.execPath, [agentMain()]).stdout).toBe('agent v2\n');
      expect(runTool(process.execPath, [join(root, 'opt/rigbench/apps/controller/dist/cli.js')]).stdout).toBe(
        'controller v2\n',
      );
      // The folder was replaced, not merged: files of the old version are gone, no dist/dist nesting.
      expect(existsSync(join(root, 'opt/rigbench/apps/agent/dist/removed-in-v2.js'))).toBe(false);
      expect(existsSync(join(root, 'opt/rigbench/apps/agent/dist/dist'))).toBe(false);
      expect(readdirSync(join(root, 'opt'))).toEqual(['rigbench']);
    } finally {
      rmSync(source, { recursive: true, force: true });
    }
  });

  test('upgrade - a unit that changed is backed up before being replaced; a real install restarts onto the new code', () => {
    install();
    const unit = join(root, 'etc/systemd/system/rigbench-agent.service');
    writeFileSync(unit, '# edited by hand\n');
    const again = install();
    expect(again.status).toBe(0);
    const saved = /^backed up \/etc\/systemd\/system\/rigbench-agent\.service to (\S+)$/m.exec(
      again.stdout,
    )?.[1];
    expect(saved).toMatch(/\/var\/lib\/rigbench\/backup\/units-\d{8}T\d{6}Z\/rigbench-agent\.service$/);
    expect(readFileSync(saved ?? 'missing', 'utf8')).toBe('# edited by hand\n');
    expect(readFileSync(unit, 'utf8')).toContain('ExecStart=');
    // An unchanged unit is not backed up again.
    expect(install().stdout).not.toContain('backed up');
    // Without --root: enable, then restart (not `enable --now`, which leaves a running service on the old code).
    const real = runTool('bash', [INSTALL_SH, '--dry-run', '--agent-id', 'x', '--nats-password-stdin'], {
      input: 'pw\n',
    });
    expect(real.stdout).toMatch(/^would run: systemctl enable rigbench-agent\.service$/m);
    expect(real.stdout).toMatch(/^would run: systemctl restart rigbench-agent\.service$/m);
    expect(real.stdout).not.toContain('--now');
  });

  test('--collector alone - installs the collector and controller.env, no agent (no unit, token, config, outbox)', () => {
    const result = install('--collector');
    expect(result.status).toBe(0);
    expect(existsSync(join(root, 'etc/systemd/system/rigbench-collector.service'))).toBe(true);
    expect(existsSync(join(root, 'etc/rigbench/controller.env'))).toBe(true);
    for (const file of [
      'etc/systemd/system/rigbench-agent.service',
      'etc/rigbench/agent.token',
      'etc/rigbench/agent.yaml',
      'var/lib/rigbench/outbox',
    ]) {
      expect([file, existsSync(join(root, file))]).toEqual([file, false]);
    }
    expect(result.stdout).toContain('no agent on this box');
  });

  test('per-agent tokens - each lands in controller-agents/ID.json and the real controller reads them from controller.env', () => {
    const remoteToken = join(secrets, 'gpu-box-2.token');
    writeFileSync(remoteToken, `${'b'.repeat(64)}\n`);
    const controllerPw = join(secrets, 'controller.pw');
    writeFileSync(controllerPw, 'controller-secret\n');
    const result = install(
      '--agent',
      '--timers',
      '--add-agent',
      `gpu-box-2=gpu-box-2.lan:50051:${remoteToken}`,
      '--controller-password-file',
      controllerPw,
    );
    expect(outputOf(result)).not.toContain('error');
    expect(result.status).toBe(0);
    const localToken = readFileSync(join(root, 'etc/rigbench/agent.token'), 'utf8').trim();
    expect(mode(join(root, 'etc/rigbench/controller-agents/gpu-box-2.json'))).toBe('640');
    const envFile = readFileSync(join(root, 'etc/rigbench/controller.env'), 'utf8');
    expect(envFile).toContain('RIGBENCH_NATS_PASSWORD=controller-secret\n');
    // Read the file as systemd's EnvironmentFile= would (bash parses the same quoting), then ask the controller.
    const printed = runTool('bash', [
      '-c',
      `set -a; . "$1"; set +a; exec "${process.execPath}" "$2" config`,
      'sh',
      join(root, 'etc/rigbench/controller.env'),
      join(REPO_ROOT, 'apps/controller/dist/cli.js'),
    ]);
    expect(printed.stderr).toBe('');
    expect(printed.status).toBe(0);
    const config = JSON.parse(printed.stdout) as {
      agents: Array<{ id: string; address: string; token: string }>;
    };
    expect(config.agents.map((a) => [a.id, a.address])).toEqual([
      ['gpu-box-1', 'gpu-box-1.lan:50051'],
      ['gpu-box-2', 'gpu-box-2.lan:50051'],
    ]);
    const stored = readdirSync(join(root, 'etc/rigbench/controller-agents'))
      .sort()
      .map(
        (name) =>
          (
            JSON.parse(readFileSync(join(root, 'etc/rigbench/controller-agents', name), 'utf8')) as {
              token: string;
            }
          ).token,
      );
    expect(stored).toEqual([localToken, 'b'.repeat(64)]);
    // A second controller box run adds to the list; the user's other settings stay.
    writeFileSync(join(root, 'etc/rigbench/controller.env'), `${envFile}RIGBENCH_FLEET_LISTEN_SECONDS=9\n`);
    const third = join(secrets, 'gpu-box-3.token');
    writeFileSync(third, 'c'.repeat(64));
    expect(install('--timers', '--add-agent', `gpu-box-3=10.0.0.3:50051:${third}`).status).toBe(0);
    const updated = readFileSync(join(root, 'etc/rigbench/controller.env'), 'utf8');
    expect(updated).toContain('RIGBENCH_FLEET_LISTEN_SECONDS=9');
    expect(updated.match(/^RIGBENCH_AGENTS=/gm)).toHaveLength(1);
    expect(updated).toMatch(/"id":"gpu-box-3","address":"10\.0\.0\.3:50051"/);
  });

  test('secrets - a password on the command line is refused; a file or stdin works and never shows in argv', () => {
    const argv = runTool('bash', [INSTALL_SH, '--dry-run', '--root', root, '--nats-password', 'hunter2']);
    expect(argv.status).not.toBe(0);
    expect(argv.stderr).toMatch(/shell history and ps: use --nats-password-file FILE, --nats-password-stdin/);
    expect(readdirSync(root)).toEqual([]);
    const missing = runTool('bash', [
      INSTALL_SH,
      '--dry-run',
      '--root',
      root,
      '--nats-password-file',
      '/nope',
    ]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('--nats-password-file /nope: no such readable file');
    const stdin = runTool('bash', [INSTALL_SH, '--dry-run', '--root', root, '--nats-password-stdin'], {
      input: 'from-stdin\n',
    });
    expect(stdin.status).toBe(0);
    expect(parseYaml(readFileSync(join(root, 'etc/rigbench/agent.yaml'), 'utf8'))).toMatchObject({
      nats: { password: 'from-stdin' },
    });
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
