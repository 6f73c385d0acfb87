import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  credentials,
  loadPackageDefinition,
  status,
  type ChannelCredentials,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  EVENT_STREAM,
  eventMessageId,
  ensureSynthModel,
  PROTO_LOADER_OPTIONS,
  RIGBENCH_VERSION,
  type AgentRpc,
  type RigbenchEvent,
  type RunFinishedEvent,
} from '@rigbench/shared';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { ACTIVE_RUNS_METADATA_KEY, VIOLATIONS_METADATA_KEY } from '../apps/agent/src/index.js';
import { osFacts } from '../apps/agent/src/engine/host-facts.js';
import {
  authMetadata,
  call,
  collect,
  cpuPlan,
  rejection,
  startTestAgent,
  type TestAgent,
} from './support/agent-harness.js';
import { eventually } from './support/eventually.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';
import { readStream } from './support/stream-reader.js';

let nats: NatsServerHandle;
let agent: TestAgent;
let nc: NatsConnection;
let modelsDir: string;
let model: string;

const violations = (error: ServiceError): Array<{ path: string; message: string }> =>
  JSON.parse(String(error.metadata.get(VIOLATIONS_METADATA_KEY)[0] ?? '[]')) as Array<{
    path: string;
    message: string;
  }>;

const startRun = (runId: string, plan: unknown, metadata = authMetadata()) =>
  call<AgentRpc.StartRunRequest, AgentRpc.StartRunResponse__Output>(
    agent.client,
    agent.client.StartRun,
    { run_id: runId, plan_json: JSON.stringify(plan), label: 'test' },
    metadata,
  );

const watch = (runId: string, fromSeq = 0) =>
  collect<AgentRpc.RunUpdate__Output>(agent.client.WatchRun({ run_id: runId, from_seq: fromSeq }));

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  modelsDir = mkdtempSync(join(tmpdir(), 'rigbench-agent-models-'));
  const modelPath = await ensureSynthModel(modelsDir, 'tiny');
  model = basename(modelPath);
  writeFileSync(join(modelsDir, 'broken.gguf'), 'hello, I am not a model');
  const bytes = readFileSync(modelPath);
  writeFileSync(join(modelsDir, 'truncated.gguf'), bytes.subarray(0, Math.floor(bytes.length / 2)));
  mkdirSync(join(modelsDir, 'family'));
  copyFileSync(modelPath, join(modelsDir, 'family', 'copy.gguf'));
  const outside = mkdtempSync(join(tmpdir(), 'rigbench-outside-'));
  copyFileSync(modelPath, join(outside, 'secret.gguf'));
  symlinkSync(join(outside, 'secret.gguf'), join(modelsDir, 'escape.gguf'));
  agent = await startTestAgent({ natsUrl: nats.url, modelsDir, argv: ['--labels', 'gpu=none,room=ci'] });
});

afterAll(async () => {
  await agent?.stop();
  await nc?.close();
  await nats?.dispose();
});

test('GetInfo - reports id, labels, versions, hardware, backends, limits and idle state', async () => {
  const info = await call<AgentRpc.GetInfoRequest, AgentRpc.AgentInfo__Output>(
    agent.client,
    agent.client.GetInfo,
    {},
  );
  expect(info.id).toBe('agent-test');
  expect(info.labels).toEqual({ gpu: 'none', room: 'ci' });
  expect(info.versions?.rigbench).toBe(RIGBENCH_VERSION);
  expect(info.versions?.node_llama_cpp).toMatch(/^\d+\.\d+\.\d+/);
  expect(info.versions?.node).toBe(process.version);
  expect(info.backends).toContain('cpu');
  expect(info.hardware?.logical_cores).toBeGreaterThan(0);
  expect(info.hardware?.physical_cores).toBeGreaterThan(0);
  expect(Number(info.hardware?.memory_bytes)).toBeGreaterThan(0);
  // `os` means what the case fingerprint's `os` means; Node's platform-arch is `platform`.
  expect(info.hardware?.os).toBe(osFacts().os);
  expect(info.hardware?.platform).toBe(`${process.platform}-${process.arch}`);
  expect(info.busy).toBe(false);
  expect(info.current_run_id).toBe('');
  expect(info.limits?.max_tokens).toBe(8192);
  expect(info.address).toBe(agent.endpoints.grpc);
});

test('ListModels - GGUF facts for models, the reason for broken and truncated files, no symlink escape', async () => {
  const reply = await call<AgentRpc.ListModelsRequest, AgentRpc.ListModelsResponse__Output>(
    agent.client,
    agent.client.ListModels,
    {},
  );
  const byPath = new Map(reply.models.map((m) => [m.path, m]));
  expect([...byPath.keys()].sort()).toEqual(
    ['broken.gguf', 'family/copy.gguf', model, 'truncated.gguf'].sort(),
  );
  const good = byPath.get(model);
  expect(good?.result).toBe('gguf');
  expect(good?.gguf?.architecture).toBe('llama');
  expect(Number(good?.gguf?.parameter_count)).toBeGreaterThan(0);
  expect(good?.gguf?.trained_context_size).toBeGreaterThan(0);
  expect(good?.gguf?.quantization).not.toBe('');
  expect(Number(good?.size_bytes)).toBe(readFileSync(join(modelsDir, model)).length);
  expect(byPath.get('broken.gguf')?.error).toMatch(/not a GGUF file/);
  expect(byPath.get('truncated.gguf')?.error).toMatch(/truncated/);
});

test('StartRun - a bad plan is INVALID_ARGUMENT naming every field path', async () => {
  const bad = cpuPlan(model, { repetitions: 0 } as never);
  (bad['matrix'] as Record<string, unknown>)['threads'] = [0];
  const error = await rejection(startRun('bad-plan', bad));
  expect(error.code).toBe(status.INVALID_ARGUMENT);
  expect(error.details).toContain('repetitions');
  expect(error.details).toContain('matrix.threads[0]');
  expect(violations(error).map((v) => v.path)).toEqual(
    expect.arrayContaining(['repetitions', 'matrix.threads[0]']),
  );

  const notJson = await rejection(
    call(agent.client, agent.client.StartRun, { run_id: 'not-json', plan_json: '{"version": 1,' }),
  );
  expect(notJson.code).toBe(status.INVALID_ARGUMENT);
  expect(notJson.details).toMatch(/plan_json: not valid JSON/);

  const badId = await rejection(startRun('has space', cpuPlan(model)));
  expect(badId.code).toBe(status.INVALID_ARGUMENT);
  expect(badId.details).toMatch(/run_id/);
});

test("StartRun - a plan over the agent's limits is INVALID_ARGUMENT naming the limit", async () => {
  const error = await rejection(
    startRun('too-big', cpuPlan(model, { repetitions: 500, matrix: { contextSize: [200_000] } } as never)),
  );
  expect(error.code).toBe(status.INVALID_ARGUMENT);
  expect(error.details).toMatch(/repetitions: 500 exceeds this agent's limit limits\.repetitions = 100/);
  expect(error.details).toMatch(/matrix\.contextSize\[0\]: 200000 exceeds .* limits\.contextSize = 131072/);
});

test('StartRun - model references outside the models directory are refused, missing ones NOT_FOUND', async () => {
  for (const source of ['../x.gguf', '/etc/x.gguf', 'family/../../x.gguf']) {
    const error = await rejection(startRun('outside', cpuPlan(source)));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain('models[0].source');
  }
  const escape = await rejection(startRun('escape', cpuPlan('escape.gguf')));
  expect(escape.code).toBe(status.INVALID_ARGUMENT);
  expect(escape.details).toMatch(/models\[0\]\.source: .*outside the models directory .*symlink escape/);
  expect(violations(escape)[0]?.path).toBe('models[0].source');

  const missing = await rejection(startRun('missing', cpuPlan('nope.gguf')));
  expect(missing.code).toBe(status.NOT_FOUND);
  expect(missing.details).toMatch(/models\[0\]\.source: model 'nope.gguf' not found in/);
});

test('a run - events in order, busy while it runs, in JetStream exactly once, WatchRun resumable', async () => {
  const runId = `run-${Date.now()}`;
  const accepted = await startRun(runId, cpuPlan(model));
  expect(accepted.case_count).toBe(2);
  expect(accepted.plan_hash).toMatch(/^[0-9a-f]{64}$/);

  const busy = await rejection(startRun('second', cpuPlan(model)));
  expect(busy.code).toBe(status.RESOURCE_EXHAUSTED);
  expect(busy.details).toContain(runId);
  expect(busy.metadata.get(ACTIVE_RUNS_METADATA_KEY)).toEqual([runId]);
  const duplicate = await rejection(startRun(runId, cpuPlan(model)));
  expect([status.ALREADY_EXISTS, status.RESOURCE_EXHAUSTED]).toContain(duplicate.code);

  const updates = await watch(runId);
  const events = updates.map((u) => JSON.parse(u.event_json) as RigbenchEvent);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(updates.map((u) => u.type)).toEqual(events.map((e) => e.type));
  expect(events.every((e) => e.runId === runId && e.agentId === 'agent-test' && e.v === 1)).toBe(true);
  expect(events[0]?.type).toBe('run.accepted');
  // run.accepted lists what was planned: the case ids, in the order the cases then start.
  const started = events.filter((e) => e.type === 'case.started').map((e) => e.caseId);
  expect(events[0]?.type === 'run.accepted' ? events[0].caseIds : null).toEqual(started);
  const types = events.map((e) => e.type);
  expect(types.filter((t) => t === 'case.started')).toHaveLength(2);
  expect(types.filter((t) => t === 'sample.recorded')).toHaveLength(4);
  expect(types.filter((t) => t === 'case.finished')).toHaveLength(2);
  const finished = events.at(-1) as RunFinishedEvent;
  expect(finished.type).toBe('run.finished');
  expect(finished.outcome).toBe('completed');
  expect(finished.lastSeq).toBe(events.length);
  expect(Object.values(finished.samplesPerCase)).toEqual([2, 2]);
  expect(Object.values(finished.caseOutcomes)).toEqual(['ok', 'ok']);

  // Resume from seq 3: exactly the tail, same bytes.
  const tail = await watch(runId, 3);
  expect(tail.map((u) => u.seq)).toEqual(updates.slice(2).map((u) => u.seq));
  expect(tail.map((u) => u.event_json)).toEqual(updates.slice(2).map((u) => u.event_json));

  // JetStream holds the very same events, in order, once each, with deterministic message ids.
  const stored = await eventually(
    async () => {
      const messages = (await readStream(nc, EVENT_STREAM)).filter((m) => m.subject.endsWith(`.${runId}`));
      return messages.length >= events.length ? messages : false;
    },
    { timeoutMs: 20_000, description: 'every event of the run in the stream' },
  );
  expect(stored.map((m) => m.data)).toEqual(updates.map((u) => u.event_json));
  expect(stored.map((m) => m.msgId)).toEqual(events.map((e) => eventMessageId(runId, 'agent-test', e.seq)));
  expect(new Set(stored.map((m) => m.msgId)).size).toBe(stored.length);

  const info = await call<AgentRpc.GetInfoRequest, AgentRpc.AgentInfo__Output>(
    agent.client,
    agent.client.GetInfo,
    {},
  );
  expect(info.busy).toBe(false);
});

test('CancelRun - cancels the active run; run.finished says cancelled; unknown runs are NOT_FOUND', async () => {
  const runId = `cancel-${Date.now()}`;
  await startRun(
    runId,
    cpuPlan(model, { repetitions: 100, generation: { maxTokens: 64, ignoreEos: true } } as never),
  );
  const stream = agent.client.WatchRun({ run_id: runId, from_seq: 1 });
  const updates: AgentRpc.RunUpdate__Output[] = [];
  const firstSample = new Promise<void>((resolve) =>
    stream.on('data', (update: AgentRpc.RunUpdate__Output) => {
      updates.push(update);
      if (update.type === 'sample.recorded') resolve();
    }),
  );
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  await firstSample;
  const reply = await call<AgentRpc.CancelRunRequest, AgentRpc.CancelRunResponse__Output>(
    agent.client,
    agent.client.CancelRun,
    { run_id: runId, reason: 'test cancels' },
  );
  expect(reply.state).toBe('cancelling');
  await ended;
  const finished = JSON.parse(updates.at(-1)?.event_json ?? '{}') as RunFinishedEvent;
  expect(finished.type).toBe('run.finished');
  expect(finished.outcome).toBe('cancelled');
  expect(finished.reason).toBe('test cancels');
  expect(updates.map((u) => u.seq)).toEqual(updates.map((_, i) => i + 1));
  const again = await call<AgentRpc.CancelRunRequest, AgentRpc.CancelRunResponse__Output>(
    agent.client,
    agent.client.CancelRun,
    { run_id: runId },
  );
  expect(again.state).toBe('finished');
  const unknown = await rejection(call(agent.client, agent.client.CancelRun, { run_id: 'never-started' }));
  expect(unknown.code).toBe(status.NOT_FOUND);
  const unknownWatch = await rejection(watch('never-started'));
  expect(unknownWatch.code).toBe(status.NOT_FOUND);
});

describe('with a bearer token', () => {
  let secured: TestAgent;
  const health = (address: string) => {
    const pkg = loadPackageDefinition(loadSync(healthProtoPath, PROTO_LOADER_OPTIONS)) as unknown as {
      grpc: {
        health: {
          v1: {
            Health: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client;
          };
        };
      };
    };
    return new pkg.grpc.health.v1.Health(address, credentials.createInsecure()) as Client & {
      Check: (req: { service: string }, cb: (e: ServiceError | null, r?: { status: string }) => void) => void;
      Watch: (req: { service: string }) => NodeJS.EventEmitter & { cancel(): void };
    };
  };

  beforeAll(async () => {
    secured = await startTestAgent({ natsUrl: nats.url, modelsDir, argv: ['--auth-token', 'sesame-42'] });
  });
  afterAll(async () => {
    await secured?.stop();
  });

  test('auth - missing or malformed token UNAUTHENTICATED, wrong token PERMISSION_DENIED, right token accepted', async () => {
    const getInfo = (metadata = authMetadata()) =>
      call<AgentRpc.GetInfoRequest, AgentRpc.AgentInfo__Output>(
        secured.client,
        secured.client.GetInfo,
        {},
        metadata,
      );
    expect((await rejection(getInfo())).code).toBe(status.UNAUTHENTICATED);
    expect((await rejection(getInfo(authMetadata('Basic c2VzYW1l')))).code).toBe(status.UNAUTHENTICATED);
    expect((await rejection(getInfo(authMetadata('Bearer')))).code).toBe(status.UNAUTHENTICATED);
    const wrong = await rejection(getInfo(authMetadata('Bearer sesame-43')));
    expect(wrong.code).toBe(status.PERMISSION_DENIED);
    expect(wrong.details).not.toContain('sesame');
    expect((await getInfo(authMetadata('Bearer sesame-42'))).id).toBe('agent-test');
    const watchRefused = await rejection(
      collect(secured.client.WatchRun({ run_id: 'x', from_seq: 0 }, authMetadata('Bearer nope'))),
    );
    expect(watchRefused.code).toBe(status.PERMISSION_DENIED);
    const startRefused = await rejection(
      call(secured.client, secured.client.StartRun, { run_id: 'r', plan_json: '{}' }, authMetadata()),
    );
    expect(startRefused.code).toBe(status.UNAUTHENTICATED);
  });

  test('reflection - lists AgentService and Health without a token', async () => {
    const reflectionProto = resolve(
      'node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto',
    );
    const pkg = loadPackageDefinition(loadSync(reflectionProto, PROTO_LOADER_OPTIONS)) as unknown as {
      grpc: {
        reflection: { v1: { ServerReflection: new (address: string, creds: ChannelCredentials) => Client } };
      };
    };
    const client = new pkg.grpc.reflection.v1.ServerReflection(
      secured.endpoints.grpc,
      credentials.createInsecure(),
    ) as Client & {
      ServerReflectionInfo: () => NodeJS.EventEmitter & { write(m: unknown): void; end(): void };
    };
    const stream = client.ServerReflectionInfo();
    const reply = new Promise<{ list_services_response?: { service: Array<{ name: string }> } }>(
      (done, fail) => {
        stream.once('data', done);
        stream.once('error', fail);
      },
    );
    stream.write({ list_services: '' });
    const names = (await reply).list_services_response?.service.map((s) => s.name) ?? [];
    stream.end();
    client.close();
    expect(names).toEqual(expect.arrayContaining(['rigbench.v1.AgentService', 'grpc.health.v1.Health']));
  });

  test('health - SERVING while up, NOT_SERVING when stopping', async () => {
    const client = health(secured.endpoints.grpc);
    const check = (service: string) =>
      new Promise<string>((resolve, reject) =>
        client.Check({ service }, (error, reply) => (error ? reject(error) : resolve(reply?.status ?? ''))),
      );
    expect(await check('')).toBe('SERVING');
    expect(await check('rigbench.v1.AgentService')).toBe('SERVING');
    const seen: string[] = [];
    const watchStream = client.Watch({ service: 'rigbench.v1.AgentService' });
    watchStream.on('data', (reply: { status: string }) => seen.push(reply.status));
    watchStream.on('error', () => undefined);
    await eventually(() => seen.includes('SERVING'), { description: 'health watch reports SERVING' });
    const stopping = secured.stop();
    await eventually(() => seen.includes('NOT_SERVING'), { description: 'health watch reports NOT_SERVING' });
    // An open Watch would hold tryShutdown until the forced shutdown; a real prober disconnects too.
    watchStream.cancel();
    await stopping;
    client.close();
  });
});

describe('with tight agent limits', () => {
  let tight: TestAgent;

  beforeAll(async () => {
    tight = await startTestAgent({
      natsUrl: nats.url,
      modelsDir,
      argv: [
        '--limits-run-seconds',
        '2',
        '--limits-repetitions',
        '1000',
        '--grpc-max-message-bytes',
        '65536',
      ],
    });
  });
  afterAll(async () => {
    await tight?.stop();
  });

  test('a message over grpc.maxMessageBytes is RESOURCE_EXHAUSTED', async () => {
    const plan = { ...cpuPlan(model), description: 'x'.repeat(100_000) };
    const error = await rejection(
      call(tight.client, tight.client.StartRun, { run_id: 'huge', plan_json: JSON.stringify(plan) }),
    );
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  test('a run past limits.runSeconds is stopped and run.finished names the limit', async () => {
    const runId = `slow-${Date.now()}`;
    // Far more work than 2 s on any machine: 2 cases × 1000 repetitions.
    const plan = cpuPlan(model, {
      repetitions: 1000,
      generation: { maxTokens: 64, ignoreEos: true },
    } as never);
    await call(tight.client, tight.client.StartRun, { run_id: runId, plan_json: JSON.stringify(plan) });
    const updates = await collect<AgentRpc.RunUpdate__Output>(
      tight.client.WatchRun({ run_id: runId, from_seq: 0 }),
    );
    const finished = JSON.parse(updates.at(-1)?.event_json ?? '{}') as RunFinishedEvent;
    expect(finished.type).toBe('run.finished');
    expect(['partial', 'failed']).toContain(finished.outcome);
    expect(finished.reason).toMatch(/run time limit of 2 s \(limits\.runSeconds\) reached/);
    expect(Object.values(finished.caseOutcomes)).toContain('failed');
    expect(updates.map((u) => u.seq)).toEqual(updates.map((_, i) => i + 1));
  });
});
