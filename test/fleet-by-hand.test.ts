/**
 * README "A fleet by hand", step by step, with the README's own commands: the fenced `sh` blocks of that section
 * are read from README.md and run in order (a `# terminal` block as a long-running process, the others in bash
 * with the `export`s of the blocks before them). Only HOME (a temp dir) and the TCP ports (free ones, so
 * parallel test runs do not collide) differ from what a person types. Real nats-server, two real agents with
 * real inference on the synthetic model, the real CLI; step 7's alert goes through a real Alertmanager running
 * the shipped alertmanager.yml, with its receiver URL pointed at a webhook in this test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { DEPLOY_DIR, REPO_ROOT } from './deploy-helpers.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';

/** One fenced `sh` block of the README section. */
interface Block {
  /** `terminal` (long-running), `alertmanager` (needs one running) or `step`. */
  kind: 'terminal' | 'alertmanager' | 'step';
  name: string;
  script: string;
}

function readmeBlocks(): Block[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## A fleet by hand\n');
  if (start < 0) throw new Error('README.md has no "## A fleet by hand" section');
  const end = readme.indexOf('\n## ', start + 5);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^( *)```sh\n([\s\S]*?)^\1```$/gm)].map((m) => {
    const indent = m[1] ?? '';
    const script = (m[2] ?? '')
      .split('\n')
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join('\n');
    const first = script.split('\n')[0] ?? '';
    const terminal = /^# terminal: (.+)$/.exec(first);
    if (terminal) return { kind: 'terminal', name: terminal[1] ?? '', script };
    if (first.startsWith('# needs: a running Alertmanager'))
      return { kind: 'alertmanager', name: 'alert', script };
    return { kind: 'step', name: first, script };
  });
}

const ports: Record<string, number> = {};
/** The README's fixed ports, replaced by free ones. */
const README_PORTS = ['4222', '50051', '50052', '9464', '9474', '9093'];
const withPorts = (script: string): string =>
  README_PORTS.reduce(
    (text, port) => text.replace(new RegExp(`\\b${port}\\b`, 'g'), String(ports[port])),
    script,
  );

let home: string;
const children: ChildProcess[] = [];
let webhook: Server | undefined;
let stopping = false;
const received: string[] = [];

function env(): NodeJS.ProcessEnv {
  // What a person's shell has: PATH and HOME, nothing of this test's environment.
  return { PATH: process.env['PATH'] ?? '', HOME: home, LANG: 'C.UTF-8' };
}

function start(name: string, command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: env(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  Object.defineProperty(child, 'output', { get: () => output });
  child.once('exit', (code) => {
    // An early exit is a failure worth its output; the SIGTERM of stopAll is not.
    if (!stopping && code !== 0) process.stderr.write(`${name} exited ${code}:\n${output}\n`);
  });
  children.push(child);
  return child;
}

async function stopAll(): Promise<void> {
  stopping = true;
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      process.kill(-child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rigbench-by-hand-'));
  for (const port of README_PORTS) ports[port] = await freePort();
  for (const built of ['apps/controller/dist/cli.js', 'apps/agent/dist/main.js']) {
    if (!existsSync(join(REPO_ROOT, built)))
      throw new Error(`${built} is missing: run 'npm run build' first`);
  }
});

afterAll(async () => {
  await stopAll();
  await new Promise<void>((resolve) => (webhook ? webhook.close(() => resolve()) : resolve()));
  rmSync(home, { recursive: true, force: true });
});

/** True once something accepts TCP connections on 127.0.0.1:port. */
const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const metricsReady = (port: number) => async () => {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  return /^rigbench_nats_connected\{[^}]*\} 1$/m.test(text);
};

/** Starts a real Alertmanager on the shipped config, its receiver pointed at a webhook here. */
async function startAlertmanager(): Promise<void> {
  const hookPort = await freePort();
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => webhook?.listen(hookPort, '127.0.0.1', () => resolve()));
  const config = parseYaml(readFileSync(join(DEPLOY_DIR, 'alertmanager', 'alertmanager.yml'), 'utf8')) as {
    route: { group_wait: string };
    receivers: Array<{ webhook_configs: Array<{ url: string }> }>;
  };
  config.route.group_wait = '1s';
  for (const receiver of config.receivers) {
    for (const hook of receiver.webhook_configs) hook.url = `http://127.0.0.1:${hookPort}/rigbench`;
  }
  const file = join(home, 'alertmanager.yml');
  writeFileSync(file, toYaml(config));
  // Debian's package installs it as prometheus-alertmanager; upstream's binary is alertmanager.
  const binary = spawnSync('sh', ['-c', 'command -v prometheus-alertmanager || command -v alertmanager'], {
    encoding: 'utf8',
  }).stdout.trim();
  if (!binary) throw new Error('Alertmanager is not installed: apt-get install prometheus-alertmanager');
  start('alertmanager', binary, [
    `--config.file=${file}`,
    `--storage.path=${join(home, 'alertmanager-data')}`,
    `--web.listen-address=127.0.0.1:${ports['9093']}`,
    '--cluster.listen-address=',
  ]);
  await eventually(
    async () => (await fetch(`http://127.0.0.1:${ports['9093']}/-/ready`).catch(() => null))?.ok === true,
    { timeoutMs: 30_000, intervalMs: 200, description: 'alertmanager ready' },
  );
}

test('README "A fleet by hand" - NATS, two agents on one host, the controller, a first run, a report and a test alert', async () => {
  const blocks = readmeBlocks();
  expect(blocks.map((b) => b.kind)).toEqual([
    'step',
    'terminal',
    'terminal',
    'terminal',
    'step',
    'step',
    'step',
    'alertmanager',
  ]);
  const exports: string[] = [];
  const outputs: string[] = [];
  for (const block of blocks) {
    const script = withPorts(block.script);
    if (block.kind === 'terminal') {
      start(block.name, 'bash', ['-c', script]);
      if (block.name === 'nats') {
        await eventually(() => portOpen(ports['4222'] as number), {
          timeoutMs: 30_000,
          intervalMs: 100,
          description: 'nats-server listening',
        });
      } else {
        const port = block.name.endsWith('node-a') ? ports['9464'] : ports['9474'];
        await eventually(metricsReady(port as number), {
          timeoutMs: 90_000,
          intervalMs: 250,
          description: `${block.name} serving metrics and connected to NATS`,
        });
      }
      continue;
    }
    if (block.kind === 'alertmanager') await startAlertmanager();
    const result = spawnSync('bash', ['-euo', 'pipefail', '-c', [...exports, script].join('\n')], {
      cwd: REPO_ROOT,
      env: env(),
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect({
      step: block.name,
      status: result.status,
      stderr: result.status === 0 ? '' : result.stderr,
    }).toEqual({
      step: block.name,
      status: 0,
      stderr: '',
    });
    outputs.push(result.stdout);
    exports.push(...script.split('\n').filter((line) => line.startsWith('export ')));
  }

  // Step 1: the model and the token.
  expect(existsSync(join(home, 'rigbench/models/synth-tiny.gguf'))).toBe(true);
  expect(readFileSync(join(home, 'rigbench/agent.token'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  // Step 5: both agents are up, and info reaches node-a over gRPC with the token.
  expect(outputs[1]).toMatch(/^node-a\s+up\s+127\.0\.0\.1:\d+\s+room=desk/m);
  expect(outputs[1]).toMatch(/^node-b\s+up\s+127\.0\.0\.1:\d+\s+room=desk/m);
  expect(outputs[1]).toMatch(/agent node-a at 127\.0\.0\.1:\d+ \(running\)\n {2}labels {4}room=desk/);
  // Step 6: one case per agent, every repetition stored, a report naming both, an HTML file.
  const outcome = JSON.parse(readFileSync(join(home, 'rigbench/first-run.json'), 'utf8')) as {
    runId: string;
    status: string;
    exitCode: number;
    agents: Array<{ agentId: string; casesFinished: number; samplesStored: number }>;
  };
  expect(outcome).toMatchObject({ status: 'complete', exitCode: 0 });
  expect(outcome.agents.map((a) => [a.agentId, a.casesFinished, a.samplesStored])).toEqual([
    ['node-a', 1, 3],
    ['node-b', 1, 3],
  ]);
  expect(outputs[2]).toContain(outcome.runId);
  expect(outputs[2]).toMatch(/node-a/);
  expect(outputs[2]).toMatch(/node-b/);
  expect(readFileSync(join(home, 'rigbench/first-run.html'), 'utf8')).toMatch(/^<!doctype html>/i);
  // Step 7: the rule tests pass, and the test alert reaches the receiver through Alertmanager.
  expect(outputs[3]).not.toMatch(/FAILED/);
  const delivered = await eventually(
    () => received.find((body) => body.includes('RigbenchTestAlert')) ?? false,
    { timeoutMs: 30_000, intervalMs: 200, description: 'the test alert delivered to the webhook receiver' },
  );
  expect(JSON.parse(delivered)).toMatchObject({
    receiver: 'homelab',
    status: 'firing',
    alerts: [
      expect.objectContaining({ labels: expect.objectContaining({ alertname: 'RigbenchTestAlert' }) }),
    ],
  });

  // Ctrl-C (SIGTERM here) stops every terminal.
  await stopAll();
}, 420_000);
