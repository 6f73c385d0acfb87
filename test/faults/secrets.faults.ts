/**
 * Secrets stay secret (issue 13, item 5), real binaries: credentials inside NATS URLs never reach a log line,
 * `--print-config` or `rigbench config`; an inference worker's environment holds none of the agent's secrets; a
 * short token is refused on a network address.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentRpc, RigbenchEvent } from '@rigbench/shared';
import { agentClient, authMetadata, call } from '../support/agent-harness.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { faultsFixture } from './support/faults-fixture.js';
import { recordFigure } from './support/figures.js';
import { basePlan } from './support/malformed-plans.js';
import { AGENT_MAIN, childPids, cli, spawnNode, startAgentProc } from './support/processes.js';

const TOKEN = 'faults-secrets-token-0123456789abcdef';
const NATS_PASSWORD = 'nats-pw-7f3a9c';
const URL_PASSWORD = 'url-pw-41be';
const URL_TOKEN = 'url-token-9d20';
const HF_TOKEN = 'hf_faults_5e6d';

const fx = faultsFixture({ modelsPrefix: 'rigbench-faults-secrets-models-' });
const { procs } = fx;

test('credentials in URLs - masked in connection-error logs, --print-config and rigbench config', async () => {
  const port = await freePort(); // nothing listens there
  const servers = `nats://agent:${URL_PASSWORD}@127.0.0.1:${port},nats://${URL_TOKEN}@127.0.0.1:${port}`;
  const printed = spawnNode(AGENT_MAIN, ['--nats-servers', servers, '--print-config']);
  await printed.exit;
  const agent = spawnNode(AGENT_MAIN, [
    ...['--id', 'faults-secrets-url', '--listen', '127.0.0.1:0', '--nats-servers', servers],
    ...['--outbox-dir', mkdtempSync(join(tmpdir(), 'rigbench-faults-secrets-outbox-'))],
    ...['--models-dir', fx.modelsDir],
  ]);
  procs.push(agent);
  await eventually(() => (agent.stderr().match(/nats connect failed/g) ?? []).length >= 2, {
    timeoutMs: 30_000,
    description: 'two failed NATS connects logged',
  });
  await agent.kill('SIGTERM');
  const config = cli(['config'], {
    RIGBENCH_NATS_SERVERS: servers,
    RIGBENCH_STORE: join(fx.modelsDir, 'store.db'),
  });
  const outputs = {
    'agent log': agent.stderr(),
    'agent --print-config': printed.stdout(),
    'rigbench config': config.stdout + config.stderr,
  };
  const leaks = Object.entries(outputs).filter(
    ([, text]) => text.includes(URL_PASSWORD) || text.includes(URL_TOKEN),
  );
  const showsHosts = Object.values(outputs).every((text) => text.includes(`127.0.0.1:${port}`));
  recordFigure({
    section: 74,
    scenario:
      'Secrets: user:password@ and token@ in NATS URLs (connect errors, --print-config, rigbench config)',
    measure: 'outputs that show a credential / outputs that still name the server',
    expected: '0 / 3',
    observed: `${leaks.length} / ${showsHosts ? 3 : 'fewer'}`,
    ok: leaks.length === 0 && showsHosts,
  });
  expect(leaks.map(([where]) => where)).toEqual([]);
  expect(showsHosts).toBe(true);
});

test("worker environment - the inference worker inherits none of the agent's secrets", async () => {
  const agent = await startAgentProc({
    id: 'faults-secrets-env',
    natsUrl: fx.nats.url,
    modelsDir: fx.modelsDir,
    token: TOKEN,
    env: {
      RIGBENCH_AGENT_NATS_USER: 'agent',
      RIGBENCH_AGENT_NATS_PASSWORD: NATS_PASSWORD,
      HF_TOKEN,
    },
  });
  procs.push(agent);
  const client = agentClient(agent.grpc);
  const auth = authMetadata(`Bearer ${TOKEN}`);
  try {
    const plan = {
      ...basePlan(fx.model),
      prompts: { raw: [{ id: 'tg200', promptTokens: 0, generatedTokens: 200 }] },
      repetitions: 50,
    };
    const runId = 'secrets-env-1';
    await call(client, client.StartRun, { run_id: runId, plan_json: JSON.stringify(plan) }, auth);
    const updates = client.WatchRun({ run_id: runId, from_seq: 1 }, auth);
    const events: RigbenchEvent[] = [];
    updates.on('data', (u: AgentRpc.RunUpdate__Output) =>
      events.push(JSON.parse(u.event_json) as RigbenchEvent),
    );
    await eventually(() => events.some((e) => e.type === 'sample.recorded'), {
      timeoutMs: 120_000,
      description: 'the case is running',
    });
    const environs = childPids(agent.pid).map((pid) =>
      readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0'),
    );
    // Waiting for the stream's end (run.finished) rather than cancelling it client-side.
    const ended = new Promise<void>((done) => updates.on('end', done));
    await call(client, client.CancelRun, { run_id: runId }, auth);
    await ended;
    const agentEnv = readFileSync(`/proc/${agent.pid}/environ`, 'utf8');
    const secrets = [TOKEN, NATS_PASSWORD, HF_TOKEN];
    const inAgent = secrets.filter((s) => agentEnv.includes(s)).length;
    const leaked = environs.flatMap((env) => env.filter((line) => secrets.some((s) => line.includes(s))));
    const keepsWorkerSettings = environs.every((env) => env.includes('UV_THREADPOOL_SIZE=1'));
    recordFigure({
      section: 75,
      scenario: 'Secrets: worker environment (agent token, NATS password, HF_TOKEN set on the agent)',
      measure: 'secrets in the agent env / in its workers / workers keep UV_THREADPOOL_SIZE',
      expected: '3 / 0 / yes',
      observed: `${inAgent} / ${leaked.length} (${environs.length} workers) / ${keepsWorkerSettings ? 'yes' : 'no'}`,
      ok: inAgent === 3 && environs.length > 0 && leaked.length === 0 && keepsWorkerSettings,
    });
    expect(environs.length).toBeGreaterThan(0);
    expect(leaked).toEqual([]);
    expect(keepsWorkerSettings).toBe(true);
  } finally {
    client.close();
  }
});

test('short token on a network address - refused at start, naming the key and the minimum', async () => {
  const agent = spawnNode(AGENT_MAIN, ['--listen', '0.0.0.0:0', '--nats-servers', fx.nats.url], {
    RIGBENCH_AGENT_AUTH_TOKEN: 'hunter2',
  });
  const code = await agent.exit;
  const named = /auth\.token: the token has 7 characters.*at least 32/.test(agent.stderr());
  const echoed = agent.stderr().includes('hunter2');
  recordFigure({
    section: 76,
    scenario: 'Secrets: 7-character token with --listen 0.0.0.0',
    measure: 'exit code / error names auth.token and the minimum / token echoed',
    expected: '2 / yes / no',
    observed: `${code} / ${named ? 'yes' : 'no'} / ${echoed ? 'yes' : 'no'}`,
    ok: code === 2 && named && !echoed,
  });
  expect({ code, named, echoed }).toEqual({ code: 2, named: true, echoed: false });
});
