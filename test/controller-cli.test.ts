import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../apps/controller/src/store/run-store.js';
import { eventually } from './support/eventually.js';
import { runControllerCli as cli, simulatedFleetEnv, useSimulatedFleet } from './support/controller-cli.js';

const root = join(import.meta.dirname, '..');
const cliJs = join(root, 'apps/controller/dist/cli.js');
const examples = ['examples/quick-cpu.yaml', 'examples/seed-p104.yaml'];

describe('rigbench CLI', () => {
  test('cli - every command answers --help with exit 0 and lists its options', async () => {
    const commands = [
      [],
      ['agents'],
      ['info'],
      ['models'],
      ['plan'],
      ['plan', 'check'],
      ['run'],
      ['watch'],
      ['runs'],
      ['show'],
      ['cancel'],
      ['report'],
      ['compare'],
      ['trend'],
      ['collect'],
      ['model'],
      ['model', 'synth'],
      ['config'],
      ['quarantine'],
      ['tune'],
      ['demo'],
    ];
    for (const command of commands) {
      const { code, out } = await cli([...command, '--help']);
      expect({ command, code }).toEqual({ command, code: 0 });
      expect(out).toMatch(/^Usage: rigbench/);
      expect(out).toContain('Options:');
      expect(out).toContain('--help');
    }
    expect((await cli(['run', '--help'])).out).toMatch(
      /--agents <ids>[\s\S]*--select <key=value>[\s\S]*--detach/,
    );
    expect((await cli(['report', '--help'])).out).toMatch(/--format <format>[\s\S]*--out <file>/);
  });

  test('cli - config prints the configuration in effect with secrets masked', async () => {
    const { code, out } = await cli(['config', '--store', '/tmp/x.db'], {
      RIGBENCH_AGENT_TOKEN: 'hunter2',
      RIGBENCH_NATS_SERVERS: 'nats://a:4222',
    });
    expect(code).toBe(0);
    expect(out).not.toContain('hunter2');
    expect(JSON.parse(out)).toMatchObject({
      agentToken: '(secret)',
      storePath: '/tmp/x.db',
      nats: { servers: ['nats://a:4222'] },
    });
  });

  test('cli - usage errors exit 2', async () => {
    expect((await cli(['runs', '--bogus'])).code).toBe(2);
    expect((await cli(['show'])).code).toBe(2);
    expect((await cli(['plan', 'check', '/nonexistent/plan.yaml'])).code).toBe(2);
  });

  test('cli - plan check on the built binary: examples pass (exit 0), a broken plan lists every issue (exit 2)', () => {
    for (const example of examples) {
      const result = spawnSync(process.execPath, [cliJs, 'plan', 'check', example], {
        cwd: root,
        encoding: 'utf8',
      });
      expect({ example, status: result.status, stderr: result.stderr }).toEqual({
        example,
        status: 0,
        stderr: '',
      });
      expect(result.stdout).toMatch(/valid, \d+ cases/);
    }
    const dir = mkdtempSync(join(tmpdir(), 'rigbench-plan-'));
    try {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(
        bad,
        'version: 1\nname: broken\nmodels:\n  - id: m\n    source: m.gguf\nprompts:\n  chat:\n    - id: q1\n' +
          '      text: hi\nmatrix:\n  backend: [cuda, vulcan]\nrepetitions: 0\n',
      );
      const result = spawnSync(process.execPath, [cliJs, 'plan', 'check', bad], { encoding: 'utf8' });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`${bad}:11:`);
      expect(result.stderr).toMatch(/matrix\.backend\[1\].*vulcan/);
      expect(result.stderr).toMatch(new RegExp(`${bad}:12:\\d+\\s+repetitions`));
      // 1.4 M cases: counted from the axes, not built (which would take gigabytes), exit 2 with the count.
      const huge = join(dir, 'huge.yaml');
      const list = (n: number, from: number) =>
        `[${Array.from({ length: n }, (_, i) => from + i).join(', ')}]`;
      writeFileSync(
        huge,
        'version: 1\nname: huge\nmodels: [{ id: m, source: m.gguf }]\nprompts:\n  chat: [{ id: q, text: hi }]\n' +
          `matrix:\n  contextSize: ${list(10, 4096)}\n  batchSize: ${list(100, 1)}\n  threads: ${list(100, 1)}\n` +
          '  kvCacheType: [f32, f16, q8_0, q4_0, q4_1, q5_0, q5_1]\n  flashAttention: [false, true]\n',
      );
      const tooMany = spawnSync(process.execPath, [cliJs, 'plan', 'check', huge], { encoding: 'utf8' });
      expect(tooMany.status).toBe(2);
      expect(tooMany.stderr).toContain('expands to 1400000 cases (more than 1000000)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rigbench CLI with NATS and simulated agents', () => {
  const fleet = useSimulatedFleet();
  let dir: string;
  let env: Record<string, string>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rigbench-cli-'));
    env = simulatedFleetEnv(fleet.server.url, dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('cli - run on two agents prints the run id, stores every sample, and show/runs/report work after it', async () => {
    await fleet.startAgent('sim-a', { labels: { gpu: 'none', room: 'dorm' } });
    await fleet.startAgent('sim-b', { labels: { gpu: 'none' } });
    const listed = await cli(['agents', '--json'], env);
    expect(listed.code).toBe(0);
    const listedAgents = JSON.parse(listed.out) as Array<{ agentId: string; health: string }>;
    expect(listedAgents.map((a) => [a.agentId, a.health])).toEqual([
      ['sim-a', 'up'],
      ['sim-b', 'up'],
    ]);
    expect((await cli(['info', 'sim-a'], env)).out).toMatch(/agent sim-a at 127\.0\.0\.1:\d+/);

    const run = await cli(
      ['run', 'examples/quick-cpu.yaml', '--select', 'gpu=none', '--label', 'night'],
      env,
    );
    expect({ code: run.code, err: run.err }).toMatchObject({ code: 0 });
    const runId = /^run (\S+)$/m.exec(run.out)?.[1] as string;
    expect(runId).toMatch(/^\d{8}-\d{6}-[0-9a-z]{5}$/);
    expect(run.out).toContain(`run ${runId} complete`);
    expect(run.out).toMatch(/sim-a: complete, 8\/8 cases, 24 samples/);
    expect(run.out).toMatch(/sim-b: complete, 8\/8 cases, 24 samples/);
    // The answer follows the progress: quick-cpu varies the model; one run is one round a side.
    expect(run.out).toMatch(/^answers:\n {2}sim-a, all prompts: can't tell yet: /m);

    const show = await cli(['show', runId, '--json'], env);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.out)).toMatchObject({ runId, status: 'complete', label: 'night', missing: [] });
    const runs = JSON.parse((await cli(['runs', '--json'], env)).out) as Array<{
      runId: string;
      samples: number;
    }>;
    expect(runs).toEqual([expect.objectContaining({ runId, samples: 48, status: 'complete' })]);

    const reportFile = join(dir, 'report.json');
    const report = await cli(['report', runId, '--format', 'json', '--out', reportFile], env);
    expect(report.code).toBe(0);
    const json = readFileSync(reportFile, 'utf8');
    expect(json).toContain(runId);
    const md = await cli(['report', runId, '--no-sync'], env);
    expect(md.code).toBe(0);
    expect(md.out).toContain('sim-a');
  });

  test('cli - an agent that dies mid-run is marked lost and the run exits 4 naming what is missing', async () => {
    await fleet.startAgent('sim-ok', { labels: { pool: 'x' } });
    const doomed = await fleet.startAgent('sim-dies', { labels: { pool: 'x' }, caseDelayMs: 300 });
    const done = cli(['run', 'examples/quick-cpu.yaml', '--agents', 'sim-ok,sim-dies'], env);
    // Kill it once the controller has stored part of its run.
    await eventually(
      () => {
        const store = RunStore.open(env.RIGBENCH_STORE as string);
        try {
          return (
            (store.db
              .prepare(
                "SELECT count(*) FROM cases c JOIN run_agents a ON c.ra = a.id WHERE a.agent_id = 'sim-dies' AND c.outcome = 'ok'",
              )
              .pluck()
              .get() as number) >= 2
          );
        } finally {
          store.close();
        }
      },
      { timeoutMs: 30_000, description: 'sim-dies finished two cases' },
    );
    await doomed.stop();
    const result = await done;
    expect(result.code).toBe(4);
    expect(result.out).toMatch(/sim-ok: complete/);
    expect(result.out).toMatch(
      /agent sim-dies: given up: agent lost: no heartbeat or other sign of life for \d+ s/,
    );
    expect(result.out).toMatch(/agent sim-dies: no run.finished received/);
  });

  test('cli - a busy or unreachable agent named with --agents stops the run before anything starts (exit 1)', async () => {
    const busy = await fleet.startAgent('sim-busy', { caseDelayMs: 200 });
    const first = await cli(['run', 'examples/quick-cpu.yaml', '--agents', 'sim-busy', '--detach'], env);
    expect(first.code).toBe(0);
    const second = await cli(['run', 'examples/quick-cpu.yaml', '--agents', 'sim-busy'], env);
    expect(second.code).toBe(1);
    expect(second.err).toMatch(/agent 'sim-busy' at 127\.0\.0\.1:\d+ \(GetInfo\) is busy with run/);
    await busy.stop();
    const gone = await cli(['run', 'examples/quick-cpu.yaml', '--agents', 'sim-busy'], env);
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/agent 'sim-busy' at 127\.0\.0\.1:\d+ \(GetInfo\) is unreachable/);
  });

  test('cli - compare names a significant slowdown and --fail-on-regression exits 3', async () => {
    const fast = await fleet.startAgent('sim-cmp', { decodeTokensPerSecond: 20 });
    const a = await cli(['run', 'examples/quick-cpu.yaml', '--agents', 'sim-cmp', '--label', 'morning'], env);
    expect(a.code).toBe(0);
    await fast.stop();
    await fleet.startAgent('sim-cmp', { decodeTokensPerSecond: 15 });
    const b = await cli(['run', 'examples/quick-cpu.yaml', '--agents', 'sim-cmp', '--label', 'night'], env);
    expect(b.code).toBe(0);
    const [runA, runB] = [a, b].map((r) => /^run (\S+)$/m.exec(r.out)?.[1] as string);

    const same = await cli(['compare', runA as string, runA as string, '--fail-on-regression', '5'], env);
    expect(same.code).toBe(0);
    const slower = await cli(['compare', runA as string, runB as string, '--fail-on-regression', '5'], env);
    expect(slower.code).toBe(3);
    expect(slower.out).toMatch(/slower/);
    expect(slower.err).toMatch(/regressions? beyond 5%/);
    const json = await cli(['compare', runA as string, runB as string, '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ kind: 'runs' });
    expect((await cli(['compare', runA as string], env)).code).toBe(2);
    const within = await cli(['compare', runA as string, '--by', 'model'], env);
    expect(within.code).toBe(0);
    expect(within.out).toContain('Comparison');
  });

  test('cli - run --detach returns after acceptance; watch follows it to completion; cancel stops another', async () => {
    await fleet.startAgent('sim-w', { caseDelayMs: 100 });
    const detached = await cli(['run', 'examples/quick-cpu.yaml', '--agents', 'sim-w', '--detach'], env);
    expect(detached.code).toBe(0);
    const runId = /^run (\S+)$/m.exec(detached.out)?.[1] as string;
    expect(detached.out).toContain(`rigbench watch ${runId}`);
    const watched = await cli(['watch', runId], env);
    expect(watched.code).toBe(0);
    expect(watched.out).toContain(`run ${runId} complete`);

    const second = await cli(['run', 'examples/quick-cpu.yaml', '--agents', 'sim-w', '--detach'], env);
    const secondId = /^run (\S+)$/m.exec(second.out)?.[1] as string;
    const cancelled = await cli(['cancel', secondId], env);
    expect(cancelled.code).toBe(0);
    expect(cancelled.out).toMatch(/sim-w: (cancelling|finished)/);
    if (/sim-w: cancelling/.test(cancelled.out)) {
      // A cancelled run never shows as complete: once its events are in, show and runs say cancelled.
      await eventually(
        async () => {
          const shown = await cli(['show', secondId, '--json'], env);
          const st = JSON.parse(shown.out) as { status: string; missing: string[] };
          return st.status === 'cancelled';
        },
        { timeoutMs: 30_000, description: `run ${secondId} shows cancelled` },
      );
      const listed = JSON.parse((await cli(['runs', '--json'], env)).out) as Array<{
        runId: string;
        status: string;
      }>;
      expect(listed.find((r) => r.runId === secondId)?.status).toBe('cancelled');
    }
    expect((await cli(['show', 'no-such-run'], env)).err).toMatch(/run 'no-such-run' is not in the store/);
  });

  test('cli - run completes with every sample once while a concurrent collect command shares the store', async () => {
    await fleet.startAgent('sim-c1', { labels: { pool: 'c' } });
    await fleet.startAgent('sim-c2', { labels: { pool: 'c' } });
    const stopCollect = new AbortController();
    const collecting = cli(['collect'], env, stopCollect.signal);
    try {
      const run = await cli(['run', 'examples/quick-cpu.yaml', '--select', 'pool=c'], env);
      expect(run.code).toBe(0);
      const runId = /^run (\S+)$/m.exec(run.out)?.[1] as string;
      const show = JSON.parse((await cli(['show', runId, '--json'], env)).out) as {
        status: string;
        agents: Array<{ agentId: string; samplesStored: number; eventsStored: number; lastSeq: number }>;
      };
      expect(show.status).toBe('complete');
      expect(show.agents.map((a) => [a.agentId, a.samplesStored, a.eventsStored === a.lastSeq])).toEqual([
        ['sim-c1', 24, true],
        ['sim-c2', 24, true],
      ]);
    } finally {
      stopCollect.abort();
    }
    const collected = await collecting;
    expect(collected.code).toBe(0);
    expect(collected.err).toMatch(/collector stopped/);
  });

  test('cli - quarantine lists an event the collector could not store', async () => {
    const { jetstream } = await import('@nats-io/jetstream');
    await fleet.startAgent('sim-q'); // creates the stream
    await jetstream(fleet.nc).publish('rigbench.events.sim-q.r-bad', '{"v":1,"type":"sample.recorded"', {
      msgID: 'cli-bad-1',
    });
    const listed = await cli(['quarantine', '--json'], env);
    expect(listed.code).toBe(0);
    const result = JSON.parse(listed.out) as {
      total: number;
      recent: Array<{ reason: string; subject: string }>;
    };
    expect(result.total).toBeGreaterThanOrEqual(1);
    expect(result.recent).toContainEqual(
      expect.objectContaining({ reason: 'malformed', subject: 'rigbench.events.sim-q.r-bad' }),
    );
  });

  test('cli - an agent whose heartbeats stop but that still answers gRPC is not given up', async () => {
    const quiet = await fleet.startAgent('sim-quiet', { caseDelayMs: 400 });
    const running = cli(['run', 'examples/quick-cpu.yaml', '--agents', 'sim-quiet'], env);
    await eventually(() => agentsWithRuns(), { description: 'run accepted' });
    quiet.pauseHeartbeats();
    const result = await running;
    // 8 cases x 400 ms is far beyond 6 heartbeat intervals of 0.2 s: only GetInfo probes kept it alive.
    expect({ code: result.code, out: result.out }).toMatchObject({ code: 0 });
    expect(result.out).toMatch(/sim-quiet: complete, 8\/8 cases, 24 samples/);

    function agentsWithRuns(): boolean {
      const store = RunStore.open(env.RIGBENCH_STORE as string);
      try {
        return store.listRuns().length > 0;
      } finally {
        store.close();
      }
    }
  });
});
