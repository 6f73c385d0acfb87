import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  EVENT_STREAM,
  ensureSynthModel,
  type AgentRpc,
  type RigbenchEvent,
  type RunFinishedEvent,
} from '@rigbench/shared';
import { agentClient, authMetadata, call, cpuPlan } from './support/agent-harness.js';
import { eventually } from './support/eventually.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';
import { readStream } from './support/stream-reader.js';

const MAIN = resolve('apps/agent/dist/main.js');
const TOKEN = 'binary-test-token-7f3a';

let nats: NatsServerHandle;
let nc: NatsConnection;
let modelsDir: string;
let model: string;

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'npx tsc -b' (npm test builds first)`);
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  modelsDir = mkdtempSync(join(tmpdir(), 'rigbench-bin-models-'));
  model = basename(await ensureSynthModel(modelsDir, 'tiny'));
});

afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [MAIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });

test('rigbench-agent --help lists every key with its env var; --version prints the version', () => {
  const help = run(['--help']);
  expect(help.status).toBe(0);
  for (const needle of [
    '--models-dir',
    'RIGBENCH_AGENT_MODELS_DIR',
    'RIGBENCH_AGENT_NATS_CREDS_FILE',
    'limits.maxTokens',
  ]) {
    expect(help.stdout).toContain(needle);
  }
  const version = run(['--version']);
  expect(version.status).toBe(0);
  expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
});

test('rigbench-agent --print-config merges file, env and flags and masks secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rigbench-bin-config-'));
  const file = join(dir, 'agent.yaml');
  writeFileSync(
    file,
    'id: from-file\nlabels: gpu=3090\nauth:\n  token: file-secret-1\nlimits:\n  maxTokens: 100\n',
  );
  const result = run(['--config', file, '--limits-max-tokens', '300', '--print-config'], {
    RIGBENCH_AGENT_ID: 'from-env',
    RIGBENCH_AGENT_NATS_PASSWORD: 'env-secret-2',
  });
  expect(result.status).toBe(0);
  expect(result.stdout).not.toMatch(/file-secret-1|env-secret-2/);
  const printed = JSON.parse(result.stdout) as { id: string; labels: string; limits: { maxTokens: number } };
  expect(printed).toMatchObject({ id: 'from-env', labels: 'gpu=3090', limits: { maxTokens: 300 } });
});

test('rigbench-agent refuses a non-loopback address without token or mTLS (exit 2), and unknown flags', () => {
  const refused = run(['--listen', '0.0.0.0:0']);
  expect(refused.status).toBe(2);
  expect(refused.stderr).toMatch(/refusing to listen on 0\.0\.0\.0:0 without authentication.*--insecure/);
  const unknown = run(['--listne', '127.0.0.1:0']);
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toMatch(/unknown flag --listne/);
});

test('rigbench-agent refuses a renamed nats key in its config file and an unreadable NATS seed file (exit 2, key named)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rigbench-bin-nats-'));
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, 'nats:\n  tlsCa: /etc/rigbench/ca.pem\n');
  const renamed = run(['--config', file]);
  expect(renamed.status).toBe(2);
  expect(renamed.stderr).toContain(`${file}: nats.tlsCa was renamed to nats.tls.ca`);
  const seed = join(dir, 'missing.nk');
  const unreadable = run([
    ...['--nats-nkey-seed-file', seed, '--outbox-dir', join(dir, 'outbox'), '--models-dir', dir],
    ...['--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0'],
  ]);
  expect(unreadable.status).toBe(2);
  expect(unreadable.stderr).toContain(`nats.nkeySeedFile: cannot read ${seed}`);
});

interface Agent {
  child: ChildProcess;
  listening: { grpc: string; metrics: string };
  stderr: () => string;
  exit: Promise<number | null>;
}

async function startAgent(args: string[]): Promise<Agent> {
  const outbox = mkdtempSync(join(tmpdir(), 'rigbench-bin-outbox-'));
  const child = spawn(
    process.execPath,
    [
      MAIN,
      ...['--id', 'bin-agent', '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0'],
      ...['--nats-servers', nats.url, '--models-dir', modelsDir, '--outbox-dir', outbox],
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '', RIGBENCH_AGENT_AUTH_TOKEN: TOKEN },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const lines = createInterface({ input: child.stdout! });
  const listening = await new Promise<Agent['listening']>((done, fail) => {
    lines.once('line', (line) => done(JSON.parse(line) as Agent['listening']));
    void exit.then((code) => fail(new Error(`agent exited ${code} before listening:\n${stderr}`)));
  });
  return { child, listening, stderr: () => stderr, exit };
}

test('rigbench-agent serves gRPC and /metrics, and SIGTERM finishes the current case, flushes, exits 0', async () => {
  const agent = await startAgent(['--shutdown-current-case', 'finish', '--heartbeat-interval-seconds', '1']);
  try {
    expect(agent.listening).toMatchObject({
      event: 'listening',
      grpc: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
    const client = agentClient(agent.listening.grpc);
    const auth = authMetadata(`Bearer ${TOKEN}`);
    const info = await call<AgentRpc.GetInfoRequest, AgentRpc.AgentInfo__Output>(
      client,
      client.GetInfo,
      {},
      auth,
    );
    expect(info.id).toBe('bin-agent');
    const metrics = await (await fetch(`http://${agent.listening.metrics}/metrics`)).text();
    expect(metrics).toMatch(/rigbench_agent_info\{[^}]*node="bin-agent"[^}]*\} 1/);

    const runId = `bin-${Date.now()}`;
    const plan = cpuPlan(model, {
      repetitions: 40,
      prompts: {
        chat: [1, 2, 3].map((n) => ({ id: `q${n}`, text: `question ${n}` })),
        raw: [{ id: 'pp16-tg8', promptTokens: 16, generatedTokens: 8 }],
      },
    } as never);
    await call(client, client.StartRun, { run_id: runId, plan_json: JSON.stringify(plan) }, auth);
    const stream = client.WatchRun({ run_id: runId, from_seq: 1 }, auth);
    const updates: AgentRpc.RunUpdate__Output[] = [];
    const ended = new Promise<void>((done, fail) => {
      stream.on('end', done);
      stream.on('error', fail);
    });
    const firstSample = new Promise<void>((done) =>
      stream.on('data', (update: AgentRpc.RunUpdate__Output) => {
        updates.push(update);
        if (update.type === 'sample.recorded') done();
      }),
    );
    await firstSample;
    agent.child.kill('SIGTERM');
    await ended;
    expect(await agent.exit).toBe(0);
    client.close();

    const events = updates.map((u) => JSON.parse(u.event_json) as RigbenchEvent);
    const finished = events.at(-1) as RunFinishedEvent;
    expect(finished.type).toBe('run.finished');
    expect(finished.outcome).toBe('cancelled');
    expect(finished.reason).toMatch(/shutting down/);
    // `finish`: the case running when SIGTERM came completed with all its samples; later cases never started.
    const started = events.filter((e) => e.type === 'case.started').map((e) => e.caseId);
    expect(started.length).toBeGreaterThanOrEqual(1);
    expect(started.length).toBeLessThan(4);
    expect(Object.keys(finished.caseOutcomes)).toEqual(started);
    for (const caseId of started) {
      expect(finished.caseOutcomes[caseId]).toBe('ok');
      expect(finished.samplesPerCase[caseId]).toBe(40);
    }

    // The outbox was flushed before exit: JetStream holds every event, once, in order.
    const stored = (await readStream(nc, EVENT_STREAM)).filter((m) => m.subject.endsWith(`.${runId}`));
    expect(stored.map((m) => m.data)).toEqual(updates.map((u) => u.event_json));

    const logLines = agent.stderr().trim().split('\n');
    for (const line of logLines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(agent.stderr()).not.toContain(TOKEN);
    expect(agent.stderr()).toMatch(/"msg":"stopped"/);
  } finally {
    agent.child.kill('SIGKILL');
  }
});

test('rigbench-agent publishes heartbeats with its real gRPC address', async () => {
  const agent = await startAgent(['--heartbeat-interval-seconds', '1', '--labels', 'room=attic']);
  try {
    const seen: Array<{ agentId: string; address: string; labels: Record<string, string> }> = [];
    const sub = nc.subscribe('rigbench.heartbeat.bin-agent');
    void (async () => {
      for await (const m of sub) seen.push(m.json());
    })();
    await eventually(() => seen.length >= 1, { timeoutMs: 10_000, description: 'a heartbeat' });
    sub.unsubscribe();
    expect(seen[0]).toMatchObject({
      agentId: 'bin-agent',
      address: agent.listening.grpc,
      labels: { room: 'attic' },
    });
    agent.child.kill('SIGINT');
    expect(await agent.exit).toBe(0);
  } finally {
    agent.child.kill('SIGKILL');
  }
});
