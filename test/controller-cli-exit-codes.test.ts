/**
 * The exit-code table in practice: NATS down or refusing credentials, unknown agents, failed cases, and the
 * `--json` outcome of `run`, `watch` and `cancel`. Real nats-server; the agents are SimulatedAgent stand-ins
 * (real gRPC and JetStream, synthetic samples).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CODE_TABLE, ExitCode } from '../apps/controller/src/cli/exit-codes.js';
import { runControllerCli as cli, simulatedFleetEnv, useSimulatedFleet } from './support/controller-cli.js';
import { freePort } from './support/free-port.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rigbench-exit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('rigbench exit codes', () => {
  test('--help of the root and of a command prints the one exit-code table', async () => {
    for (const args of [['--help'], ['run', '--help'], ['agents', '--help']]) {
      const { code, out } = await cli(args, {});
      expect(code).toBe(0);
      expect(out).toContain('Exit codes (every command):');
      for (const row of EXIT_CODE_TABLE)
        expect(out).toContain(`${String(row.code).padStart(3)}  ${row.meaning}`);
    }
    expect(new Set(EXIT_CODE_TABLE.map((r) => r.code)).size).toBe(EXIT_CODE_TABLE.length);
  });

  test('NATS down - agents, run and info exit 6 saying NATS cannot be reached', async () => {
    const env = {
      HOME: dir,
      RIGBENCH_NATS_SERVERS: `nats://127.0.0.1:${await freePort()}`,
      RIGBENCH_STORE: join(dir, 'store.db'),
      RIGBENCH_NATS_CONNECT_TIMEOUT_SECONDS: '1',
    };
    const agents = await cli(['agents'], env);
    expect(agents.code).toBe(ExitCode.natsUnavailable);
    expect(agents.err).toMatch(/cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: connection refused/);
    const run = await cli(['run', 'examples/quick-cpu.yaml'], env);
    expect(run.code).toBe(ExitCode.natsUnavailable);
    expect(run.err).toMatch(/cannot connect to NATS/);
    const info = await cli(['info', 'nowhere'], env);
    expect(info.code).toBe(ExitCode.natsUnavailable);
    expect(info.err).toMatch(/cannot connect to NATS/);
  });
});

describe('rigbench exit codes with a NATS that requires a password', () => {
  let server: NatsServerHandle;
  beforeAll(async () => {
    server = await startNatsServer({ args: ['--user', 'controller', '--pass', 'right-password'] });
  });
  afterAll(async () => server.dispose());

  test('a wrong NATS password - agents and run exit 6 saying the credentials were refused, not "start -js"', async () => {
    const env = {
      HOME: dir,
      RIGBENCH_NATS_SERVERS: server.url,
      RIGBENCH_NATS_USER: 'controller',
      RIGBENCH_NATS_PASSWORD: 'wrong-password',
      RIGBENCH_STORE: join(dir, 'store.db'),
    };
    for (const args of [['agents'], ['agents', '--json'], ['run', 'examples/quick-cpu.yaml']]) {
      const result = await cli(args, env);
      expect({ args, code: result.code }).toEqual({ args, code: ExitCode.natsUnavailable });
      expect(result.err).toMatch(/refused the credentials: Authorization Violation/);
      expect(result.err).not.toMatch(/-js/);
    }
    const right = await cli(['agents', '--listen', '0.2'], {
      ...env,
      RIGBENCH_NATS_PASSWORD: 'right-password',
    });
    expect(right.code).toBe(ExitCode.ok);
  });
});

describe('rigbench run / watch / cancel with simulated agents (stand-ins)', () => {
  const fleet = useSimulatedFleet();
  let env: Record<string, string>;

  beforeEach(() => {
    env = simulatedFleetEnv(fleet.server.url, dir);
  });

  test('an unknown agent is exit 2 for info and for run alike', async () => {
    await fleet.startAgent('sim-known');
    const info = await cli(['info', 'sim-unknown'], env);
    const run = await cli(['run', 'examples/quick-cpu.yaml', '--agents', 'sim-unknown'], env);
    expect([info.code, run.code]).toEqual([ExitCode.usage, ExitCode.usage]);
    expect(info.err).toMatch(/unknown agent 'sim-unknown'/);
    expect(run.err).toMatch(/sim-unknown/);
  });

  test('a run with failed cases exits 5, names them, and --json carries the same outcome', async () => {
    await fleet.startAgent('sim-fail', { failedCaseIndexes: [1, 3] });
    const text = await cli(['run', 'examples/quick-cpu.yaml', '--agents', 'sim-fail'], env);
    expect(text.code).toBe(ExitCode.casesFailed);
    expect(text.out).toMatch(/sim-fail: case \S+ failed: synthetic failure: worker exited with code 1/);
    expect(text.out).toMatch(/complete with 2 failed case\(s\)/);

    const json = await cli(['run', 'examples/quick-cpu.yaml', '--agents', 'sim-fail', '--json'], env);
    expect(json.code).toBe(ExitCode.casesFailed);
    const outcome = JSON.parse(json.out) as {
      runId: string;
      status: string;
      exitCode: number;
      agents: Array<{ agentId: string; casesFinished: number; samplesStored: number }>;
      unsuccessfulCases: Array<{ outcome: string }>;
    };
    expect(outcome).toMatchObject({ status: 'complete', exitCode: ExitCode.casesFailed });
    expect(outcome.agents).toEqual([expect.objectContaining({ agentId: 'sim-fail', casesFinished: 8 })]);
    expect(outcome.agents[0]?.samplesStored).toBe(6 * 3);
    expect(outcome.unsuccessfulCases.map((c) => c.outcome)).toEqual(['failed', 'failed']);
    expect(json.err).toContain(`run ${outcome.runId}`);

    const watched = await cli(['watch', outcome.runId, '--json'], env);
    expect(watched.code).toBe(ExitCode.casesFailed);
    expect(JSON.parse(watched.out)).toMatchObject({ runId: outcome.runId, status: 'complete' });
  });

  test('run --detach --json, watch --json and cancel --json print one JSON object each', async () => {
    await fleet.startAgent('sim-j', { caseDelayMs: 100 });
    const detached = await cli(
      ['run', 'examples/quick-cpu.yaml', '--agents', 'sim-j', '--detach', '--json'],
      env,
    );
    expect(detached.code).toBe(ExitCode.ok);
    const started = JSON.parse(detached.out) as { runId: string; detached: boolean; agents: unknown[] };
    expect(started).toMatchObject({ detached: true, agents: [{ agentId: 'sim-j', caseCount: 8 }] });
    const watched = await cli(['watch', started.runId, '--json'], env);
    expect(watched.code).toBe(ExitCode.ok);
    expect(JSON.parse(watched.out)).toMatchObject({ runId: started.runId, status: 'complete', exitCode: 0 });

    const second = await cli(
      ['run', 'examples/quick-cpu.yaml', '--agents', 'sim-j', '--detach', '--json'],
      env,
    );
    const secondId = (JSON.parse(second.out) as { runId: string }).runId;
    const cancelled = await cli(['cancel', secondId, '--json'], env);
    expect(cancelled.code).toBe(ExitCode.ok);
    const answer = JSON.parse(cancelled.out) as {
      runId: string;
      agents: Array<{ agentId: string; state: string }>;
    };
    expect(answer.runId).toBe(secondId);
    expect(answer.agents).toEqual([
      { agentId: 'sim-j', state: expect.stringMatching(/cancelling|finished/) },
    ]);
  });
});
