import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { validatePlan } from '@rigbench/shared';
import { tinyModelSource } from '../support/tiny-model-plan.js';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.js';
import { assertBuilt, builtCli, startAgentProcess, type RunningProcess } from '../support/binaries.js';

interface TuneJson {
  agentId: string;
  rounds: number;
  runIds: string[];
  settled: boolean;
  best: { decode: { threads: number; key: string } | null; prompt: { threads: number; key: string } | null };
  rankings: Record<'decode' | 'prompt', { key: string; geomean: number; n: number; ci: unknown }[]>;
}

const AUTO_PLAN = `
version: 1
name: e2e-auto
models:
  - { id: tiny, source: MODEL }
prompts:
  raw:
    - { id: tg16, promptTokens: 0, generatedTokens: 16 }
matrix:
  backend: cpu
  threads: [auto]
  contextSize: [256]
repetitions: 1
warmup: 0
targets:
  agents: [box]
`;

describe('rigbench tune end to end (built binaries, a real agent, real nats-server, real inference)', () => {
  let dir: string;
  let nats: NatsServerHandle;
  let agent: RunningProcess | undefined;

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rigbench-e2e-tune-'));
    nats = await startNatsServer();
  });
  afterAll(async () => {
    agent?.child.kill('SIGKILL');
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const startAgent = (extra: string[] = []): Promise<RunningProcess> =>
    startAgentProcess({
      id: 'box',
      natsUrl: nats.url,
      modelsDir: join(dir, 'models'),
      outboxDir: join(dir, 'outbox'),
      args: extra,
    });

  test('ranks the candidates through real runs, writes a plan fragment and agent defaults that auto then uses', async () => {
    const model = await tinyModelSource(join(dir, 'models'));
    const store = join(dir, 'rigbench.db');
    const cli = builtCli(store, nats.url);
    mkdirSync(join(dir, 'outbox'));
    agent = await startAgent();

    const planOut = join(dir, 'best.yaml');
    const defaultsOut = join(dir, 'agent-defaults.yaml');
    const tune = await cli(
      ...['tune', 'box', '--model', model, '--threads', '1,2', '--batch-size', '256'],
      ...[
        '--flash-attention',
        'off',
        '--kv-cache-type',
        'f16',
        '--prompt-tokens',
        '64',
        '--gen-tokens',
        '16',
      ],
      ...[
        '--repetitions',
        '2',
        '--max-rounds',
        '2',
        '--json',
        '--plan-out',
        planOut,
        '--defaults-out',
        defaultsOut,
      ],
    );
    // 0 settled, 4 still open after two rounds: both are honest answers on a shared machine.
    if (tune.code !== 0 && tune.code !== 4)
      throw new Error(`tune exited ${tune.code}: ${tune.stderr.slice(-2000)}`);
    const result = JSON.parse(tune.stdout) as TuneJson;
    expect(result.agentId).toBe('box');
    expect(result.runIds.length).toBe(result.rounds);
    for (const metric of ['decode', 'prompt'] as const) {
      const ranking = result.rankings[metric];
      expect(ranking.map((r) => r.key).sort()).toEqual([
        't1 b256 fa-off kv-f16 ngl-0',
        't2 b256 fa-off kv-f16 ngl-0',
      ]);
      // Best first, every candidate measured at least the first round's two repetitions.
      expect(ranking[0]!.geomean).toBeGreaterThanOrEqual(ranking[1]!.geomean);
      for (const r of ranking) expect(r.n).toBeGreaterThanOrEqual(2);
      expect(result.best[metric]!.key).toBe(ranking[0]!.key);
    }
    expect(result.settled).toBe(tune.code === 0);

    // The plan fragment is a valid matrix with the winners' settings.
    const fragment = parse(readFileSync(planOut, 'utf8')) as { matrix: Record<string, unknown> };
    const plan = validatePlan(
      {
        ...{ version: 1, name: 'from-tune', models: [{ id: 'tiny', source: model }] },
        ...{ prompts: { raw: [{ id: 'tg16', promptTokens: 0, generatedTokens: 16 }] }, ...fragment },
      },
      planOut,
    );
    expect(plan.matrix.threads).toContain(result.best.decode!.threads);
    expect(plan.matrix.batchSize).toEqual([256]);

    // The agent defaults load as agent config; restarted with them, `threads: auto` uses the tuned decode count.
    const defaults = parse(readFileSync(defaultsOut, 'utf8')) as {
      threads: { autoDecode: number; autoPrompt: number };
    };
    expect(defaults.threads.autoDecode).toBe(result.best.decode!.threads);
    expect(defaults.threads.autoPrompt).toBe(result.best.prompt!.threads);
    agent.child.kill('SIGTERM');
    expect((await agent.done).code).toBe(0);
    agent = await startAgent(['--config', defaultsOut]);
    const autoPlan = join(dir, 'auto.yaml');
    writeFileSync(autoPlan, AUTO_PLAN.replace('MODEL', model));
    const run = await cli('run', autoPlan);
    expect({ code: run.code, stderr: run.stderr.slice(-1500) }).toEqual({
      code: 0,
      stderr: expect.any(String),
    });
    const runId = /^run (\S+)$/m.exec(run.stdout)?.[1];
    const report = await cli('report', runId!, '--format', 'json');
    const samples = (JSON.parse(report.stdout) as { samples: { threads: number }[] }).samples;
    expect(samples.length).toBe(1);
    expect(samples[0]!.threads).toBe(defaults.threads.autoDecode);
  }, 300_000);
});
