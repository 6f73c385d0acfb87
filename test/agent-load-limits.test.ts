/**
 * StartRun refuses a load test whose level events could not travel (a real nats-server with max_payload 64 KiB,
 * a real in-process agent and gRPC): the plan field and the bound are named before any work, as for run.accepted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ensureSynthModel, heartbeatSubject, type AgentRpc } from '@rigbench/shared';
import { VIOLATIONS_METADATA_KEY } from '../apps/agent/src/index.js';
import {
  authMetadata,
  call,
  cpuPlan,
  rejection,
  startTestAgent,
  type TestAgent,
} from './support/agent-harness.js';
import { eventually } from './support/eventually.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';

let work: string;
let nats: NatsServerHandle;
let nc: NatsConnection;
let agent: TestAgent;
let model: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'rigbench-load-limits-'));
  writeFileSync(join(work, 'server.conf'), 'max_payload: 65536\n');
  nats = await startNatsServer({ args: ['-c', join(work, 'server.conf')] });
  nc = await connect({ servers: nats.url });
  model = basename(await ensureSynthModel(join(work, 'models'), 'tiny'));
  // The agent knows the server's max_payload once connected: its first heartbeat says it is.
  let beat = false;
  const sub = nc.subscribe(heartbeatSubject('agent-test'), {
    callback: () => {
      beat = true;
    },
  });
  agent = await startTestAgent({ natsUrl: nats.url, modelsDir: join(work, 'models') });
  await eventually(() => beat, { timeoutMs: 30_000 });
  sub.unsubscribe();
});

afterAll(async () => {
  await agent?.stop();
  await nc?.close();
  await nats?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('StartRun - a duration-bounded load test (up to 1000 requests a level) over a 64 KiB max_payload is INVALID_ARGUMENT naming prompts.load[0].requests', async () => {
  const plan = cpuPlan(model, {
    prompts: {
      chat: [],
      raw: [],
      load: [{ id: 'serve', concurrency: [1, 2], durationSeconds: 30, prompts: ['hello'], maxTokens: 8 }],
    },
  });
  const error = await rejection(
    call<AgentRpc.StartRunRequest, AgentRpc.StartRunResponse__Output>(
      agent.client,
      agent.client.StartRun,
      { run_id: 'load-too-big', plan_json: JSON.stringify(plan), label: 'test' },
      authMetadata(),
    ),
  );
  expect(error.code).toBe(status.INVALID_ARGUMENT);
  const violations = JSON.parse(String(error.metadata.get(VIOLATIONS_METADATA_KEY)[0] ?? '[]')) as Array<{
    path: string;
    message: string;
  }>;
  expect(violations).toEqual([
    {
      path: 'prompts.load[0].requests',
      message:
        'load test "serve" could make a level event of up to 244096 bytes; events may be at most 64512 bytes ' +
        "(the NATS server's max_payload less headers): send fewer requests per level",
    },
  ]);
});
