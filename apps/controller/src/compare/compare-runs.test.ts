import { describe, expect, test } from '@jest/globals';
import { seedDataset, seedRoundRuns, seedRuns } from '../../../../test/support/seed-dataset.js';
import { golden } from '../../../../test/support/golden-files.js';
import type { RunDataset } from '../report/run-dataset.js';
import {
  compareRuns,
  compareWithin,
  UnknownBaselineError,
  UnknownCompareDimensionError,
} from './compare-runs.js';
import type { CompareBy } from './compare-types.js';
import { holmAdjust, regressions } from './regressions.js';
import { renderComparison } from './render-comparison.js';

/** A copy of a run with every sample's decode rate multiplied by `factor` (and its timings kept consistent). */
function slowedDecode(ds: RunDataset, factor: number, runId: string): RunDataset {
  const copy = structuredClone(ds);
  copy.run.runId = runId;
  copy.run.label = null;
  for (const s of copy.samples) {
    s.sample.decodeTokensPerSecond *= factor;
    s.sample.decodeSeconds /= factor;
    if (s.sample.interTokenLatency) {
      s.sample.interTokenLatency.p50 /= factor;
      s.sample.interTokenLatency.p90 /= factor;
      s.sample.interTokenLatency.p99 /= factor;
    }
  }
  return copy;
}

describe('compare golden files (seed fixture)', () => {
  test('within the seed run by backend: md and json', () => {
    const r = compareWithin(seedDataset(), 'backend');
    const md = renderComparison(r, 'md');
    expect(md).toBe(golden('compare-seed-by-backend.md', md));
    const json = renderComparison(r, 'json');
    expect(json).toBe(golden('compare-seed-by-backend.json', json));
  });

  test('morning against night: md', () => {
    const [morning, night] = seedRuns();
    const md = renderComparison(compareRuns(morning, night), 'md');
    expect(md).toBe(golden('compare-morning-night.md', md));
  });
});

describe('compareWithin', () => {
  test('seed as one run: Vulkan faster than CUDA on qwen-14b by the repetitions, with the one-round caveat', () => {
    const r = compareWithin(seedDataset(), 'backend');
    const qwen = r.units.find((u) => u.label === 'qwen-14b')!;
    expect([qwen.aName, qwen.bName]).toEqual(['cuda', 'vulkan']);
    const decode = qwen.overall.find((m) => m.metric === 'decodeTokensPerSecond')!;
    expect(decode.verdict).toBe('faster');
    expect(decode.p!).toBeLessThan(0.001);
    expect(decode.ci!.lo).toBeGreaterThan(1);
    expect(decode.method).toBe('pooled');
    expect(decode.rounds).toEqual({ a: 1, b: 1 });
    expect(decode.text).toBe(
      'vulkan is 38.8% faster than cuda (95% CI 27.1..51.6%, p<0.001); from repetitions only: vulkan and cuda ' +
        "have one round, so a session effect can't be told apart from a real difference (run more rounds: the " +
        "plan's `rounds:`)",
    );
    // Each prompt on its own, too.
    for (const s of qwen.strata) {
      expect(s.metrics.find((m) => m.metric === 'decodeTokensPerSecond')!.verdict).toBe('faster');
    }
  });

  test('seed: the 8B difference is not significant, and the 8B CUDA rounds are flagged as high variation', () => {
    const r = compareWithin(seedDataset(), 'backend');
    const llama = r.units.find((u) => u.label === 'llama-8b')!;
    const decode = llama.overall.find((m) => m.metric === 'decodeTokensPerSecond')!;
    expect(decode.verdict).toBe('no-difference');
    expect(decode.text).toMatch(/^no significant difference \(p=0\.\d{3}; /);
    const flag = r.variation.find(
      (v) => v.group === 'llama-8b cuda chat:q1' && v.metric === 'decodeTokensPerSecond',
    )!;
    expect(flag.side).toBe('A');
    expect(flag.cv).toBeCloseTo(7.605817948561921 / 21.35, 10);
    // One run is one round: the advice asks for rounds, not for more repetitions of the same session.
    expect([flag.rounds, flag.betweenRoundSd, flag.roundsNeeded]).toEqual([1, null, null]);
  });

  test('TTFT is direction aware: Vulkan Q3 first token is slower, not faster', () => {
    const r = compareWithin(seedDataset(), 'backend');
    const q3 = r.units.find((u) => u.label === 'qwen-14b')!.strata.find((s) => s.test === 'chat:q3')!;
    const ttft = q3.metrics.find((m) => m.metric === 'ttftSeconds')!;
    expect(ttft.verdict).toBe('slower');
    expect(ttft.speedRatio).toBeLessThan(1);
    expect(ttft.text).toMatch(/^vulkan is 77\.\d% slower than cuda/);
  });

  test('a baseline can be chosen; an unknown one is a named error', () => {
    const r = compareWithin(seedDataset(), 'backend', { baseline: 'vulkan' });
    expect(r.units[0]!.aName).toBe('vulkan');
    expect(() => compareWithin(seedDataset(), 'backend', { baseline: 'metal' })).toThrow(
      UnknownBaselineError,
    );
    expect(() => compareWithin(seedDataset(), 'backend', { baseline: 'metal' })).toThrow(
      'use one of cuda, vulkan',
    );
    expect(() => compareWithin(seedDataset(), 'gpu' as CompareBy)).toThrow(UnknownCompareDimensionError);
  });

  test('by agent: a second machine 50% faster on decode, its hostname and driver named', () => {
    const run = seedDataset();
    const other = slowedDecode(run, 1.5, 'unused');
    for (const c of other.cases) {
      c.agentId = 'rig-b';
      if (c.fingerprint) Object.assign(c.fingerprint, { hostname: 'rig-b', driverVersion: '560.35' });
    }
    for (const s of other.samples) s.agentId = 'rig-b';
    run.agents.push({ agentId: 'rig-b', labels: {}, outcome: 'completed' });
    run.cases.push(...other.cases);
    run.samples.push(...other.samples);
    const r = compareWithin(run, 'agent');
    expect(r.units.map((u) => u.label)).toEqual([
      'llama-8b cuda',
      'llama-8b vulkan',
      'qwen-14b cuda',
      'qwen-14b vulkan',
    ]);
    const qwenCuda = r.units.find((u) => u.label === 'qwen-14b cuda')!;
    const decode = qwenCuda.overall.find((m) => m.metric === 'decodeTokensPerSecond')!;
    expect(decode.speedRatio).toBeCloseTo(1.5, 10);
    expect(decode.text).toMatch(/^rig-b is 50\.0% faster than dorm-aio \(95% CI/);
    expect(qwenCuda.fingerprintDifferences.map((d) => d.field)).toEqual(['driverVersion', 'hostname']);
    // Vulkan has one repetition per prompt on each machine: no spread to test against.
    const vulkan = r.units.find((u) => u.label === 'qwen-14b vulkan')!;
    expect(vulkan.overall[0]!.verdict).toBe('insufficient-data');
  });

  test('by model: llama-8b against qwen-14b per backend', () => {
    const r = compareWithin(seedDataset(), 'model');
    expect(r.units.map((u) => `${u.label}: ${u.bName} vs ${u.aName}`)).toEqual([
      'cuda: qwen-14b vs llama-8b',
      'vulkan: qwen-14b vs llama-8b',
    ]);
  });
});

describe('compareRuns', () => {
  test('morning vs night: the changed llama.cpp release is named; the morning 8B CUDA rounds are flagged', () => {
    const [morning, night] = seedRuns();
    const r = compareRuns(morning, night);
    expect(r.fingerprintDifferences).toEqual([{ field: 'llamaCppRelease', a: ['b4546'], b: ['b4589'] }]);
    const morningFlags = r.variation.filter((v) => v.side === 'A' && v.metric === 'decodeTokensPerSecond');
    expect(morningFlags.map((v) => v.group)).toEqual([
      'llama-8b cuda chat:q1',
      'llama-8b cuda chat:q2',
      'llama-8b cuda chat:q3',
    ]);
    const nightFlags = r.variation.filter((v) => v.side === 'B' && v.metric === 'decodeTokensPerSecond');
    expect(nightFlags.map((v) => v.group)).not.toContain('llama-8b cuda chat:q1');
    // Vulkan ran only in the morning.
    expect(r.unmatched.filter((u) => u.side === 'A')).toHaveLength(6);
  });

  test('a 20% slower decode is a regression beyond 10% but not beyond 25%', () => {
    const a = seedDataset();
    const b = slowedDecode(a, 0.8, 'seed-slow');
    const r = compareRuns(a, b);
    expect(r.fingerprintDifferences).toEqual([]);
    const decode = r.units.find((u) => u.label === 'qwen-14b cuda')!.overall[0]!;
    expect(decode.metric).toBe('decodeTokensPerSecond');
    expect(decode.verdict).toBe('slower');
    expect(decode.speedRatio).toBeCloseTo(0.8, 10);
    const found = regressions(r, 10);
    expect(found.some((x) => x.metric === 'decodeTokensPerSecond' && x.scope === 'all tests')).toBe(true);
    expect(found.every((x) => x.slowerByPercent > 10)).toBe(true);
    expect(regressions(r, 25)).toEqual([]);
  });

  test('regressions use Holm-adjusted p-values by default', () => {
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), 'holm') = 0.03 0.06 0.06 0.02
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005]).map((p) => Number(p.toFixed(10)))).toEqual([
      0.03, 0.06, 0.06, 0.02,
    ]);
    const a = seedDataset();
    const r = compareRuns(a, slowedDecode(a, 0.8, 'seed-slow'));
    const plain = regressions(r, 10, { correction: 'none' });
    const holm = regressions(r, 10);
    expect(holm.length).toBeGreaterThan(0);
    expect(holm.length).toBeLessThanOrEqual(plain.length);
    for (const x of holm) expect(x.p).toBeLessThan(0.05);
  });

  test('identical runs: nothing significant, no regression, no fingerprint difference', () => {
    const a = seedDataset();
    const r = compareRuns(a, slowedDecode(a, 1, 'seed-copy'));
    for (const u of r.units) for (const m of u.overall) expect(m.verdict).not.toMatch(/faster|slower/);
    expect(regressions(r, 0)).toEqual([]);
  });

  test('single repetitions on both sides: not testable, said so', () => {
    const [morning] = seedRuns();
    const r = compareWithin(morning, 'model');
    const vulkan = r.units.find((u) => u.label === 'vulkan')!;
    expect(vulkan.overall[0]!.verdict).toBe('insufficient-data');
    expect(vulkan.overall[0]!.text).toMatch(/^not testable: /);
  });
});

/** The seed run with its Vulkan cases run on the CPU instead (no devices, 0 GPU layers, a third of the speed). */
function withCpu(): RunDataset {
  const ds = structuredClone(seedDataset());
  for (const c of ds.cases.filter((x) => x.benchCase.backend === 'vulkan')) {
    c.benchCase = { ...c.benchCase, backend: 'cpu', devices: [], gpuLayers: 0 };
  }
  const cpuCases = new Set(ds.cases.filter((c) => c.benchCase.backend === 'cpu').map((c) => c.caseId));
  for (const s of ds.samples) if (cpuCases.has(s.caseId)) s.sample.decodeTokensPerSecond /= 3;
  return ds;
}

describe('compare within a run along an axis that implies other settings', () => {
  test('--by backend compares cpu with cuda although GPU layers and devices differ, and says so', () => {
    const r = compareWithin(withCpu(), 'backend', { baseline: 'cpu' });
    expect(r.units.map((u) => [u.label, u.aName, u.bName])).toEqual([
      ['llama-8b', 'cpu', 'cuda'],
      ['qwen-14b', 'cpu', 'cuda'],
    ]);
    const u = r.units[0]!;
    expect(u.heldFixed).toEqual([
      'agent dorm-aio',
      'model llama-8b',
      'devices as the backend implies (default / 0,1)',
      'threads auto',
      'ngl as the backend implies (ngl=0 / ngl=max)',
      'ctx=4096',
      'b=512',
      'fa=off',
      'kv=f16',
    ]);
    expect(u.strata.map((s) => s.test)).toEqual(['chat:q1', 'chat:q2', 'chat:q3']);
    expect(renderComparison(r, 'md')).toContain(
      'Held fixed: agent dorm-aio; model llama-8b; devices as the backend implies',
    );
  });

  test('--by devices compares one card with two', () => {
    const ds = structuredClone(seedDataset());
    const one = ds.cases
      .filter((c) => c.benchCase.backend === 'cuda' && c.benchCase.model.id === 'llama-8b')
      .map((c) => ({
        ...structuredClone(c),
        caseId: `${c.caseId}-d0`,
        benchCase: { ...c.benchCase, caseId: `${c.caseId}-d0`, devices: [0] },
      }));
    const ids = new Map(one.map((c) => [c.caseId.slice(0, -3), c.caseId]));
    const samples = ds.samples
      .filter((s) => ids.has(s.caseId))
      .map((s) => ({ ...structuredClone(s), caseId: ids.get(s.caseId)! }));
    for (const s of samples) s.sample.decodeTokensPerSecond *= 0.6;
    ds.cases.push(...one);
    ds.samples.push(...samples);
    const r = compareWithin(ds, 'devices', { baseline: '0' });
    const u = r.units.find((x) => x.label.startsWith('llama-8b'))!;
    expect([u.aName, u.bName]).toEqual(['0', '0,1']);
    expect(u.heldFixed).toContain('backend cuda');
    const decode = u.overall.find((m) => m.metric === 'decodeTokensPerSecond')!;
    expect(decode.speedRatio).toBeCloseTo(1 / 0.6, 10);
  });
});

/** The seed's rounds as one run with plan rounds (round k of the table is round k-1 of the plan). */
function seedAsPlanRounds(): RunDataset {
  const runs = seedRoundRuns();
  const out = structuredClone(runs[0]!);
  out.run.runId = 'seed-rounds';
  out.cases = [];
  out.samples = [];
  runs.forEach((ds, round) => {
    for (const c of ds.cases) {
      const caseId = `${c.caseId.replace(/^c\d+-/, '')}-r${round + 1}`;
      out.cases.push({ ...c, caseId, benchCase: { ...c.benchCase, caseId, round } });
      for (const s of ds.samples.filter((x) => x.caseId === c.caseId))
        out.samples.push({ ...s, caseId, sample: { ...s.sample, caseId } });
    }
  });
  return out;
}

describe('compare with plan rounds: the round is the unit', () => {
  test('both sides with rounds: Welch on log round means (seed CUDA llama-8b vs qwen-14b)', () => {
    const r = compareWithin(seedAsPlanRounds(), 'model');
    const cuda = r.units.find((u) => u.label.includes('cuda'))!;
    const decode = cuda.overall.find((m) => m.metric === 'decodeTokensPerSecond')!;
    expect(decode.method).toBe('between-rounds');
    expect(decode.rounds).toEqual({ a: 4, b: 3 });
    // Same figure as the answers (scipy: Welch on the per-round mean log over Q1-Q3).
    expect(decode.p).toBeCloseTo(0.009269909564838747, 12);
    expect(decode.text).not.toContain('from repetitions only');
    // CUDA llama-8b Q1 sessions spread 0.425 (log): hundreds of rounds a side to show a 5% difference.
    const flag = r.variation.find(
      (v) =>
        v.group.startsWith('llama-8b cuda') &&
        v.group.includes('chat:q1') &&
        v.metric === 'decodeTokensPerSecond',
    )!;
    expect(flag.rounds).toBe(4);
    expect(flag.betweenRoundSd).toBeCloseTo(0.42464554559592727, 12);
    expect(flag.roundsNeeded).toBeGreaterThan(500);
  });

  test('one Vulkan round: the repetitions test, labelled as unable to rule out a session effect', () => {
    const r = compareWithin(seedAsPlanRounds(), 'backend');
    const qwen = r.units.find((u) => u.label.startsWith('qwen-14b'))!;
    const decode = qwen.overall.find((m) => m.metric === 'decodeTokensPerSecond')!;
    expect(decode.method).toBe('pooled');
    expect(decode.rounds).toEqual({ a: 3, b: 1 });
    expect(decode.text).toContain("vulkan has one round, so a session effect can't be told apart");
  });
});

describe('compare within a run along a settings axis', () => {
  test('--by contextSize matches cases that differ only in the context size', () => {
    const ds = structuredClone(seedDataset());
    const base = ds.cases.filter(
      (c) => c.benchCase.backend === 'cuda' && c.benchCase.model.id === 'llama-8b',
    );
    for (const c of base) {
      const caseId = `${c.caseId}-c8192`;
      ds.cases.push({
        ...structuredClone(c),
        caseId,
        benchCase: { ...c.benchCase, caseId, contextSize: 8192 },
      });
      for (const s of ds.samples.filter((x) => x.caseId === c.caseId)) {
        const copy = structuredClone(s);
        copy.caseId = caseId;
        copy.sample.decodeTokensPerSecond *= 0.9;
        ds.samples.push(copy);
      }
    }
    const r = compareWithin(ds, 'contextSize', { baseline: '4096' });
    expect(r.units.map((u) => [u.aName, u.bName])).toEqual([['ctx=4096', 'ctx=8192']]);
    const u = r.units[0]!;
    expect(u.heldFixed).toEqual(
      expect.arrayContaining(['backend cuda', 'model llama-8b', 'ngl=max', 'b=512']),
    );
    expect(u.heldFixed.some((f) => f.startsWith('ctx'))).toBe(false);
    const decode = u.overall.find((m) => m.metric === 'decodeTokensPerSecond')!;
    expect(decode.speedRatio).toBeCloseTo(0.9, 10);
  });
});
