import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandPlan, parsePlanYaml, type RigbenchEvent } from '@rigbench/shared';
import { parseSince } from '../apps/controller/src/commands/trend-command.js';
import { demoPlanYaml } from '../apps/controller/src/demo/demo-plan.js';
import { runControllerCli as cli } from './support/controller-cli.js';
import { syntheticRunEvents } from './support/synthetic-run.js';
import { RunStore } from '../apps/controller/src/store/run-store.js';

/** The demo's plan (two models, the three seed prompts, one raw test and a load sweep, CPU, 2 repetitions). */
const plan = parsePlanYaml(
  demoPlanYaml({
    name: 'seed-demo',
    models: [
      { id: 'tiny', file: 'synth-tiny.gguf' },
      { id: 'small', file: 'synth-small.gguf' },
    ],
    backends: ['cpu'],
    threads: 1,
    repetitions: 2,
    selector: { demo: 'yes' },
  }),
  'demo-plan.yaml',
);
const cases = expandPlan(plan);
const smallCases = new Set(cases.filter((c) => c.model.id === 'small').map((c) => c.caseId));

interface RoundShape {
  runId: string;
  label: string;
  time: string;
  /** Decode rate factor per model id. */
  speed: Record<string, number>;
  /** Fingerprint edits for cases of the small model. */
  small?: { sha256?: string; quantization?: string };
  /** Fingerprint edits for every case. */
  all?: { llamaCppRelease?: string };
  /** node-a's decode tokens per joule per model (its samples get energy figures; node-b's none). */
  tokensPerJoule?: Record<string, number>;
}

/**
 * One agent's events of a round, as the simulated agent publishes them, with the round's speeds and fingerprint
 * changes applied: the shape of the demo's store without running inference.
 */
function roundEvents(agentId: string, round: RoundShape): RigbenchEvent[] {
  const events = [
    ...syntheticRunEvents({
      runId: round.runId,
      agentId,
      cases: cases.length,
      caseIds: cases.map((c) => c.caseId),
      samplesPerCase: plan.repetitions,
      loadCaseIds: cases.filter((c) => c.workload.mode === 'load').map((c) => c.caseId),
      plan,
      planName: plan.name,
      time: round.time,
    }),
  ];
  for (const e of events) {
    if (e.type === 'run.accepted') e.label = round.label;
    const model = smallCases.has('caseId' in e ? e.caseId : '') ? 'small' : 'tiny';
    const measured = round.tokensPerJoule !== undefined && agentId === 'node-a';
    if (e.type === 'case.started') {
      if (model === 'small' && round.small) e.fingerprint.model = { ...e.fingerprint.model, ...round.small };
      if (round.all) Object.assign(e.fingerprint, round.all);
      if (round.tokensPerJoule)
        e.fingerprint.energySources = measured
          ? {
              gpu: null,
              gpuUnavailable: 'nvidia-smi not found on PATH',
              cpu: 'powercap',
              cpuUnavailable: null,
            }
          : {
              gpu: null,
              gpuUnavailable: 'nvidia-smi not found on PATH (no NVIDIA driver here)',
              cpu: null,
              cpuUnavailable: '/sys/class/powercap does not exist',
            };
    }
    if (e.type === 'sample.recorded') {
      const f = round.speed[model] ?? 1;
      e.sample.decodeTokensPerSecond *= f;
      e.sample.decodeSeconds /= f;
      if (round.tokensPerJoule)
        e.sample.energy = measured
          ? {
              gpu: null,
              cpu: null,
              promptTokensPerJoule: null,
              // The synthetic wobble of the decode rate, so the figure has noise.
              decodeTokensPerJoule:
                (round.tokensPerJoule[model] ?? 1) * (e.sample.decodeTokensPerSecond / 20 / f),
            }
          : null;
    }
  }
  return events;
}

function fillStore(file: string, rounds: RoundShape[]): void {
  const store = RunStore.open(file);
  try {
    for (const round of rounds)
      for (const agent of ['node-a', 'node-b']) store.writeEvents(roundEvents(agent, round));
  } finally {
    store.close();
  }
}

describe('rigbench trend (real CLI over a real SQLite store)', () => {
  let dir: string;
  let storeFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rigbench-trend-'));
    storeFile = join(dir, 'rigbench.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('trend - the demo shape (morning, night with the small model file replaced) names the model-file change', async () => {
    fillStore(storeFile, [
      { runId: 'r-morning', label: 'morning', time: '2026-11-30T08:00:00.000Z', speed: {} },
      {
        runId: 'r-night',
        label: 'night',
        time: '2026-11-30T22:00:00.000Z',
        speed: { small: 1.6, tiny: 1.01 },
        small: { sha256: 'b'.repeat(64), quantization: 'Q8_0' },
      },
    ]);
    const { code, out, err } = await cli(['--store', storeFile, 'trend', '--no-sync', '--json']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const trend = JSON.parse(out);
    expect(trend.schema).toBe('rigbench.trend/v1');
    expect(trend.runs.map((r: { label: string }) => r.label)).toEqual(['morning', 'night']);
    // 2 agents x 2 models x 4 tests.
    expect(trend.groups).toHaveLength(16);
    for (const g of trend.groups) {
      if (g.descriptor.model === 'small') {
        expect({ group: g.label, steps: g.steps.length }).toEqual({ group: g.label, steps: 1 });
        const step = g.steps[0];
        expect(step.runId).toBe('r-night');
        expect(step.ci.lo).toBeLessThan(1.6);
        expect(step.ci.hi).toBeGreaterThan(1.6);
        expect(step.fingerprintChanges.map((d: { field: string }) => d.field)).toEqual(
          expect.arrayContaining(['model.sha256', 'model.quantization']),
        );
        expect(step.text).toMatch(
          /rose 60\.0% .*fingerprint changed: .*model\.sha256 000000000000…→bbbbbbbbbbbb…/,
        );
      } else {
        // The tiny model moved 1 %: below the 2 % minimum step, and nothing in its fingerprint changed.
        expect({ group: g.label, steps: g.steps }).toEqual({ group: g.label, steps: [] });
        expect(g.points[1].fingerprintChanges).toEqual([]);
      }
      expect(g.betweenEstimated).toBe(false);
    }

    const md = await cli([
      '--store',
      storeFile,
      'trend',
      '--no-sync',
      '--group',
      'node-a',
      '--group',
      'small',
    ]);
    expect(md.code).toBe(0);
    expect(md.out).toMatch(/^# Trend of decode t\/s over 2 runs/);
    expect(md.out.match(/^## /gm)).toHaveLength(4);
    expect(md.out).toMatch(
      /- node-a small cpu ddefault t=1 chat:q1: decode t\/s rose 60\.0% \(95% CI \+\d+\.\d%\.\.\+\d+\.\d%, better\) at run r-night \(night\); fingerprint changed: .*model\.quantization F32→Q8_0/,
    );
    expect(md.out).toContain('**change point**; fingerprint: ');
    expect(md.out).not.toContain('node-b');
  });

  test('trend - ten days with a llama.cpp update: one step at the update, CI covering the truth, no false ones', async () => {
    const rounds: RoundShape[] = Array.from({ length: 10 }, (_, day) => {
      // Day-to-day wobble of about 1 %, deterministic.
      const wobble = 1 + 0.01 * Math.sin(day * 2.3 + 1);
      const updated = day >= 6;
      return {
        runId: `r-day${day}`,
        label: `day${day}`,
        time: `2026-11-${String(10 + day).padStart(2, '0')}T07:30:00.000Z`,
        speed: { small: wobble * (updated ? 0.85 : 1), tiny: wobble * (updated ? 0.85 : 1) },
        ...(updated ? { all: { llamaCppRelease: 'b7100' } } : {}),
      };
    });
    fillStore(storeFile, rounds);
    const { code, out } = await cli(['--store', storeFile, 'trend', '--no-sync', '--json']);
    expect(code).toBe(0);
    const trend = JSON.parse(out);
    expect(trend.runs).toHaveLength(10);
    for (const g of trend.groups) {
      expect(g.betweenEstimated).toBe(true);
      expect(g.steps.map((s: { runId: string }) => s.runId)).toEqual(['r-day6']);
      const step = g.steps[0];
      expect(step.ci.lo).toBeLessThan(0.85);
      expect(step.ci.hi).toBeGreaterThan(0.85);
      expect(step.better).toBe(false);
      expect(step.fingerprintChanges).toEqual([{ field: 'llamaCppRelease', a: ['b0000'], b: ['b7100'] }]);
      expect(g.segments).toHaveLength(2);
    }

    // --since keeps the last four days: all after the update, so no step.
    const since = await cli(['--store', storeFile, 'trend', '--no-sync', '--json', '--since', '2026-11-16']);
    const recent = JSON.parse(since.out);
    expect(recent.runs.map((r: { runId: string }) => r.runId)).toEqual([
      'r-day6',
      'r-day7',
      'r-day8',
      'r-day9',
    ]);
    expect(recent.groups.every((g: { steps: unknown[] }) => g.steps.length === 0)).toBe(true);

    const htmlFile = join(dir, 'trend.html');
    const html = await cli([
      '--store',
      storeFile,
      'trend',
      '--no-sync',
      '--format',
      'html',
      '--out',
      htmlFile,
    ]);
    expect(html.code).toBe(0);
    expect(html.err).toContain(`wrote html trend to ${htmlFile}`);
    const page = readFileSync(htmlFile, 'utf8');
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).not.toMatch(/(src|href)=["']https?:/i);
    expect(page).not.toMatch(/<script/i);
    expect(page.match(/<svg class="trend"/g)).toHaveLength(16);
    expect(page.match(/<line class="step"/g)).toHaveLength(16);
    expect(page).toContain('<text class="fp-label"');
    expect(page).toContain('llamaCppRelease');
  });

  test('trend --metric tpj - follows decode tokens per joule where measured and names why an agent has none', async () => {
    fillStore(storeFile, [
      {
        runId: 'r-morning',
        label: 'morning',
        time: '2026-11-30T08:00:00.000Z',
        speed: {},
        tokensPerJoule: { tiny: 4, small: 2 },
      },
      {
        runId: 'r-night',
        label: 'night',
        time: '2026-11-30T22:00:00.000Z',
        speed: {},
        small: { sha256: 'b'.repeat(64), quantization: 'Q8_0' },
        tokensPerJoule: { tiny: 4, small: 3 },
      },
    ]);
    const { code, out, err } = await cli([
      '--store',
      storeFile,
      'trend',
      '--no-sync',
      '--json',
      '--metric',
      'tpj',
    ]);
    expect(code).toBe(0);
    const trend = JSON.parse(out);
    expect(trend).toMatchObject({ metric: 'decodeTokensPerJoule', unit: 'tok/J', better: 'higher' });
    expect(trend.groups.map((g: { descriptor: { agentId: string } }) => g.descriptor.agentId)).toEqual(
      Array.from({ length: 8 }, () => 'node-a'),
    );
    for (const g of trend.groups) {
      if (g.descriptor.model === 'small') {
        expect(g.steps).toHaveLength(1);
        expect(g.steps[0].ratio).toBeCloseTo(1.5, 2);
        expect(g.steps[0].better).toBe(true);
      } else expect(g.steps).toEqual([]);
    }
    expect(trend.notes).toEqual([
      'node-a measured no power from GPU: nvidia-smi not found on PATH',
      'node-b measured no power from GPU: nvidia-smi not found on PATH (no NVIDIA driver here); CPU: /sys/class/powercap does not exist',
    ]);
    expect(err).toContain('note: node-b measured no power from GPU: nvidia-smi not found on PATH');
    const brief = await cli(['--store', storeFile, 'trend', '--no-sync', '--brief', '--metric', 'tpj']);
    expect(brief.out).toMatch(/- node-a small cpu ddefault t=1 chat:q1: decode tok\/J rose 50\.0%/);
    expect(brief.out).toContain('Note: node-b measured no power from GPU');
    expect(brief.out).not.toContain('## ');
    // Runs recorded before energy was measured: the note says so.
    const old = join(dir, 'old.db');
    fillStore(old, [{ runId: 'r1', label: 'x', time: '2026-11-30T08:00:00.000Z', speed: {} }]);
    const none = await cli(['--store', old, 'trend', '--no-sync', '--metric', 'watts']);
    // 2 agents × 14 cases (8 chat and raw, 6 load levels).
    expect(none.err).toMatch(/note: 28 case\(s\) were recorded by an agent that did not measure energy yet/);
    expect(none.err).toMatch(/warning: no sample has decode W figures/);
  });

  test('trend - bad options name the option and what would be valid (exit 2)', async () => {
    const since = await cli(['--store', storeFile, 'trend', '--no-sync', '--since', 'last tuesday']);
    expect(since.code).toBe(2);
    expect(since.err).toMatch(
      /--since must be an ISO 8601 date or time .* or an age \(36h, 7d, 2w\), got 'last tuesday'/,
    );
    const metric = await cli(['--store', storeFile, 'trend', '--no-sync', '--metric', 'speed']);
    expect(metric.code).toBe(2);
    expect(metric.err).toMatch(/--metric must be one of decode, prompt, ttft, itl, tpj, watts/);
    const empty = await cli(['--store', storeFile, 'trend', '--no-sync']);
    expect(empty.code).toBe(0);
    expect(empty.err).toMatch(/no runs in the store match/);
    expect((await cli(['trend', '--help'])).out).toMatch(
      /--group <text>[\s\S]*--since <when>[\s\S]*--format/,
    );
  });

  test('trend - --since accepts ISO dates and ages', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(parseSince('36h', now).toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(parseSince('2w', now).toISOString()).toBe('2026-11-17T12:00:00.000Z');
    expect(parseSince('2026-11-20T08:00Z', now).toISOString()).toBe('2026-11-20T08:00:00.000Z');
  });
});
