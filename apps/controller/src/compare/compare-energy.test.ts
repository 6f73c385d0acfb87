import { describe, expect, test } from '@jest/globals';
import { seedDataset } from '../../../../test/support/seed-dataset.js';
import type { RunDataset } from '../report/run-dataset.js';
import { compareRuns } from './compare-runs.js';
import { regressions } from './regressions.js';
import { renderComparison } from './render-comparison.js';

/** A copy of a run whose samples drew `watts` while decoding: decode tok/J = decode tok/s ÷ W. */
function withEnergy(ds: RunDataset, watts: number, runId: string): RunDataset {
  const copy = structuredClone(ds);
  copy.run.runId = runId;
  copy.run.label = null;
  for (const s of copy.samples)
    s.sample.energy = {
      gpu: null,
      cpu: null,
      promptTokensPerJoule: null,
      decodeTokensPerJoule: s.sample.decodeTokensPerSecond / watts,
    };
  return copy;
}

const geometricMean = (values: number[]): number =>
  Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);

describe('compare - energy efficiency (decode tokens per joule)', () => {
  test('compare - the same speed at 180 W instead of 150 W: B is 16.7% less efficient per token, not slower', () => {
    const a = withEnergy(seedDataset(), 150, 'seed-150w');
    const b = withEnergy(seedDataset(), 180, 'seed-180w');
    const r = compareRuns(a, b);
    const unit = r.units.find((u) => u.label === 'qwen-14b cuda')!;
    const tpj = unit.overall.find((m) => m.metric === 'decodeTokensPerJoule')!;
    // The same statistics as the rates: ratio of geometric means, direction aware, with CI and p.
    const aValues = a.samples
      .filter((s) => s.caseId.includes('qwen-14b-cuda') && s.sample.generatedTokens > 1)
      .map((s) => s.sample.energy!.decodeTokensPerJoule!);
    expect(tpj.a.n).toBe(aValues.length);
    expect(tpj.a.geometricMean).toBeCloseTo(geometricMean(aValues), 9);
    expect(tpj.speedRatio).toBeCloseTo(150 / 180, 9);
    expect(tpj.better).toBe('higher');
    expect(tpj.verdict).toBe('slower');
    expect(tpj.ci!.hi).toBeLessThan(1);
    expect(tpj.text).toMatch(/^seed-180w is 16\.7% less efficient per token than seed-150w \(95% CI /);
    // Decode speed itself did not change, and a loss of efficiency is not a slowdown for --fail-on-regression.
    expect(unit.overall.find((m) => m.metric === 'decodeTokensPerSecond')!.verdict).toBe('no-difference');
    expect(regressions(r, 10)).toEqual([]);

    const md = renderComparison(r, 'md');
    expect(md).toContain('decode tok/J (energy efficiency');
    expect(md).toMatch(
      /- qwen-14b cuda \(all 3 tests\), seed-180w vs seed-150w: .*decode tok\/J: seed-180w is 16\.7% less efficient per token/,
    );
  });

  test('compare - more tokens per joule reads "more efficient"; runs without energy get no tok/J line', () => {
    const r = compareRuns(withEnergy(seedDataset(), 150, 'hot'), withEnergy(seedDataset(), 120, 'cool'));
    const tpjOf = (label: string) =>
      r.units.find((u) => u.label === label)!.overall.find((m) => m.metric === 'decodeTokensPerJoule')!;
    const qwen = tpjOf('qwen-14b cuda');
    expect(qwen.verdict).toBe('faster');
    expect(qwen.text).toMatch(/^cool is 25\.0% more efficient per token than hot/);
    // The noisy 8B CUDA rounds: not significant, the estimate and its interval in the same words.
    const llama = tpjOf('llama-8b cuda');
    expect(llama.verdict).toBe('no-difference');
    expect(llama.text).toMatch(
      /^no significant difference \(p=0\.\d{3}; estimate cool 25\.0% more efficient per token than hot, 95% CI \d+\.\d% less efficient per token to \d+\.\d% more efficient per token\)/,
    );

    const plain = compareRuns(seedDataset(), withEnergy(seedDataset(), 120, 'cool'));
    expect(plain.units.flatMap((u) => u.overall).some((m) => m.metric === 'decodeTokensPerJoule')).toBe(
      false,
    );
    // Only B's own spread can be flagged (it has figures); no comparison line, no note.
    const md = renderComparison(plain, 'md');
    expect(md).not.toContain('decode tok/J (energy efficiency');
    expect(md).not.toMatch(/decode tok\/J: .*(efficient|not testable|no significant)/);
  });
});
