/**
 * The commands on PATH: the committed launchers npm links (`npx rigbench`), and the packed packages installed with
 * `npm install -g --prefix` into a temporary prefix, exactly as the README tells a user to put them on PATH.
 * Needs `npm run build` first (the packed packages carry dist/). Dependencies come from the npm cache that `npm ci`
 * filled (`--prefer-offline`), the registry otherwise; optional dependencies (node-llama-cpp's prebuilt llama.cpp
 * binaries, hundreds of MB) and install scripts are left out: `--help` needs neither.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './deploy-helpers.js';

const PACKAGES = ['libs/shared', 'apps/agent', 'apps/controller'];
const NPM_TIMEOUT_MS = 300_000;

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs = 60_000,
): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: {
      ...process.env,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    },
  });
  if (result.error) throw result.error;
  return result;
}

const output = (result: SpawnSyncReturns<string>): string => `${result.stdout}\n${result.stderr}`;

beforeAll(() => {
  for (const built of [
    'apps/controller/dist/cli.js',
    'apps/agent/dist/main.js',
    'libs/shared/dist/index.js',
  ]) {
    if (!existsSync(join(REPO_ROOT, built)))
      throw new Error(`${built} is missing: run 'npm run build' first`);
  }
});

describe('commands on PATH', () => {
  test('the launchers npm links are committed, executable files that exist before a build', () => {
    for (const [dir, bin] of [
      ['apps/controller', 'bin/rigbench.js'],
      ['apps/agent', 'bin/rigbench-agent.js'],
    ] as const) {
      const path = join(REPO_ROOT, dir, bin);
      expect(existsSync(path)).toBe(true);
      expect(statSync(path).mode & 0o111).not.toBe(0);
      const tracked = run('git', ['ls-files', '--error-unmatch', join(dir, bin)], REPO_ROOT);
      expect({ bin, tracked: tracked.status }).toEqual({ bin, tracked: 0 });
    }
  });

  test('npx rigbench and npx rigbench-agent --help work in the checkout', () => {
    const cli = run('npx', ['--no-install', 'rigbench', '--help'], REPO_ROOT);
    expect(output(cli)).toContain('Usage: rigbench');
    expect(cli.status).toBe(0);
    const agent = run('npx', ['--no-install', 'rigbench-agent', '--help'], REPO_ROOT);
    expect(output(agent)).toContain('Usage: rigbench-agent');
    expect(agent.status).toBe(0);
  });

  test(
    'npm pack + npm install -g --prefix of the packed packages - rigbench and rigbench-agent --help run from its bin',
    () => {
      const work = mkdtempSync(join(tmpdir(), 'rigbench-pack-'));
      try {
        const packArgs = ['pack', '--pack-destination', work, ...PACKAGES.flatMap((p) => ['-w', p])];
        const pack = run('npm', packArgs, REPO_ROOT, NPM_TIMEOUT_MS);
        expect(pack.status).toBe(0);
        const tarballs = readdirSync(work)
          .filter((name) => name.endsWith('.tgz'))
          .sort();
        expect(tarballs).toEqual([
          'rigbench-agent-0.1.0.tgz',
          'rigbench-controller-0.1.0.tgz',
          'rigbench-shared-0.1.0.tgz',
        ]);
        // prepack copies proto/ into the shared package; postpack removes it again.
        expect(existsSync(join(REPO_ROOT, 'libs/shared/proto'))).toBe(false);

        const prefix = join(work, 'prefix');
        const install = run(
          'npm',
          [
            'install',
            '--global',
            '--prefix',
            prefix,
            '--prefer-offline',
            '--omit=optional',
            '--ignore-scripts',
            ...tarballs.map((name) => join(work, name)),
          ],
          work,
          NPM_TIMEOUT_MS,
        );
        expect(install.status).toBe(0);
        const installed = join(prefix, 'lib', 'node_modules', '@rigbench');
        expect(existsSync(join(installed, 'shared', 'proto', 'rigbench', 'v1', 'agent.proto'))).toBe(true);

        const cli = run(join(prefix, 'bin', 'rigbench'), ['--help'], work);
        expect(output(cli)).toContain('Usage: rigbench');
        expect(output(cli)).toContain('Exit codes');
        expect(cli.status).toBe(0);
        const agent = run(join(prefix, 'bin', 'rigbench-agent'), ['--help'], work);
        expect(output(agent)).toContain('Usage: rigbench-agent');
        expect(agent.status).toBe(0);
        const version = run(join(prefix, 'bin', 'rigbench'), ['--version'], work);
        expect(version.stdout.trim()).toBe('0.1.0');
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
    2 * NPM_TIMEOUT_MS + 60_000,
  );
});
