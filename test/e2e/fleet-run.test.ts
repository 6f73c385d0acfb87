import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '@rigbench/shared';
import { writeTinyModelPlan } from '../support/tiny-model-plan.js';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.js';
import {
  assertBuilt,
  builtCli,
  isAlive,
  startAgentProcess,
  watchDescendants,
  type RunningProcess,
} from '../support/binaries.js';

/** A raw sample as `report --format json` lists it: the stored sample plus where it came from. */
type ReportSample = Sample & { runId: string; agentId: string };

const PLAN = `
version: 1
name: e2e-fleet
models:
  - { id: tiny, source: MODEL }
prompts:
  chat:
    - { id: q1, text: "你好" }
    - { id: q2, text: "你觉得英伟达怎么样？" }
  raw:
    - { id: pp32-tg16, promptTokens: 32, generatedTokens: 16 }
matrix:
  backend: cpu
  threads: [1]
  contextSize: [256]
generation:
  maxTokens: 12
  ignoreEos: true
warmup: 1
repetitions: 3
targets:
  selector: { e2e: "yes" }
`;

describe('fleet end to end (built rigbench and rigbench-agent binaries, real nats-server)', () => {
  let dir: string;
  let nats: NatsServerHandle;
  const agents: RunningProcess[] = [];

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rigbench-e2e-'));
    nats = await startNatsServer();
  });
  afterAll(async () => {
    for (const agent of agents) agent.child.kill('SIGKILL');
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('plan -> two agents -> NATS -> store -> report: every sample stored once, invariants hold, agents stop cleanly', async () => {
    const { modelsDir, planFile } = await writeTinyModelPlan(dir, PLAN);
    const store = join(dir, 'rigbench.db');
    const cli = builtCli(store, nats.url);

    for (const id of ['box-a', 'box-b']) {
      mkdirSync(join(dir, id));
      agents.push(
        await startAgentProcess({
          id,
          labels: `e2e=yes,box=${id}`,
          natsUrl: nats.url,
          modelsDir,
          outboxDir: join(dir, id, 'outbox'),
        }),
      );
    }
    const trees = agents.map((a) => watchDescendants(a.child.pid!));

    const run = await cli('run', planFile, '--label', 'e2e');
    expect({ code: run.code, stderr: run.stderr.slice(-2000) }).toEqual({
      code: 0,
      stderr: expect.any(String),
    });
    const runId = /^run (\S+)$/m.exec(run.stdout)?.[1];
    expect(runId).toBeDefined();
    expect(run.stdout).toMatch(/box-a: complete, 3\/3 cases, 9 samples/);
    expect(run.stdout).toMatch(/box-b: complete, 3\/3 cases, 9 samples/);

    const report = await cli('report', runId!, '--format', 'json');
    expect(report.code).toBe(0);
    const parsed = JSON.parse(report.stdout) as { samples: ReportSample[] };
    // 2 agents x 3 cases x 3 repetitions, each exactly once.
    expect(parsed.samples).toHaveLength(18);
    const keys = parsed.samples.map((s) => `${s.agentId}/${s.caseId}/${s.repetition}`);
    expect(new Set(keys).size).toBe(18);
    for (const s of parsed.samples) {
      expect(s.runId).toBe(runId);
      expect(s.threads).toBe(1);
      if (s.mode === 'raw') {
        expect(s.promptTokens).toBe(32);
        expect(s.generatedTokens).toBe(16);
        expect(s.decodeTokensPerSecond).toBeCloseTo(s.generatedTokens / s.decodeSeconds, 6);
      } else {
        expect(s.generatedTokens).toBe(12);
        expect(s.decodeTokensPerSecond).toBeCloseTo((s.generatedTokens - 1) / s.decodeSeconds, 6);
      }
      expect(s.promptTokensPerSecond).toBeCloseTo(s.promptTokens / s.promptSeconds, 6);
      expect(s.ttftSeconds).not.toBeNull();
      expect(s.ttftSeconds!).toBeLessThanOrEqual(s.endToEndSeconds);
      expect(s.decodeSeconds).toBeLessThanOrEqual(s.endToEndSeconds);
    }
    // Repetitions of one case start in order.
    for (const key of new Set(parsed.samples.map((s) => `${s.agentId}/${s.caseId}`))) {
      const starts = parsed.samples
        .filter((s) => `${s.agentId}/${s.caseId}` === key)
        .sort((a, b) => a.repetition - b.repetition)
        .map((s) => Date.parse(s.startedAt));
      expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    }

    const markdown = await cli('report', runId!, '--format', 'md');
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('box-a');
    expect(markdown.stdout).toContain('q2');

    const runs = await cli('runs', '--json');
    expect(runs.code).toBe(0);
    expect(runs.stdout).toContain(runId!);

    for (const agent of agents) agent.child.kill('SIGTERM');
    const exits = await Promise.all(agents.map((a) => a.done));
    for (const tree of trees) tree.stop();
    expect(exits.map((e) => e.code)).toEqual([0, 0]);
    const leftovers = trees.flatMap((t) => [...t.seen]).filter(isAlive);
    expect(leftovers).toEqual([]);
  }, 300_000);
});
