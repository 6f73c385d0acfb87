import { describe, expect, test } from '@jest/globals';
import { seedRoundRuns } from '../../../../test/support/seed-dataset.js';
import { holmAdjust } from '../compare/regressions.js';
import { ALL_PROMPTS, buildAnswers, type Answer } from './build-answers.js';

/**
 * The seed's published table (shared/seed/README.md) loaded as rounds: one run per round of the table, so CUDA
 * llama-8b has 4 rounds, CUDA qwen-14b 3 and Vulkan 1 of each. The verdicts asserted here are explained in
 * docs/measurement.md ("The seed table, read as rounds"). Reference figures: numpy 2.4 / scipy 1.17.1.
 */
describe('answers on the seed table read as rounds', () => {
  const answers = buildAnswers(seedRoundRuns());
  const find = (axis: Answer['axis'], context: string, metric: Answer['metric'], scope: string): Answer => {
    const a = answers.find(
      (x) => x.axis === axis && x.context === context && x.metric === metric && x.scope === scope,
    );
    if (!a) throw new Error(`no answer for ${axis} ${context} ${metric} ${scope}`);
    return a;
  };

  test('qwen-14b: Vulkan is ahead in every prompt, but with one Vulkan round a session effect cannot be ruled out', () => {
    const a = find('backend', 'qwen-14b', 'decodeTokensPerSecond', ALL_PROMPTS);
    expect([a.winner, a.other, a.roundsWinner, a.roundsOther]).toEqual(['vulkan', 'cuda', 1, 3]);
    expect(a.verdict).toBe('cant-tell');
    expect(a.reason).toBe('one-round');
    expect([a.p, a.ci]).toEqual([null, null]);
    // Geometric means of the three prompts: exp(mean(log 20.71, 19.78, 18.67) − mean over CUDA rounds) = 1.388.
    expect(a.speedRatio).toBeCloseTo(1.3876584843349968, 12);
    // CUDA's qwen rounds barely move (sd 1.7% of log tok/s): one more Vulkan round would settle it.
    expect(a.roundsNeeded).toBe(2);
    expect(a.text).toBe(
      "qwen-14b, all prompts: can't tell yet: vulkan decodes 39% faster than cuda in these figures, but vulkan " +
        "has one round, so a session effect can't be told apart from a real difference (vulkan 1 round, cuda 3 " +
        'rounds × 1 repetition); run 1 more round of vulkan (2 a side, by the between-round spread so far)',
    );
  });

  test('CUDA llama-8b varies between rounds 25 times as much as CUDA qwen-14b', () => {
    const llama = find('backend', 'llama-8b', 'decodeTokensPerSecond', 'chat:q1');
    const qwen = find('backend', 'qwen-14b', 'decodeTokensPerSecond', 'chat:q1');
    // np.std(np.log([10.99, 20.33, 27.5, 26.58]), ddof=1) and the same for [15.86, 15.65, 16.18].
    expect(llama.betweenRoundSd).toBeCloseTo(0.42464554559592727, 12);
    expect(qwen.betweenRoundSd).toBeCloseTo(0.016762663340581137, 12);
    // So telling llama-8b's backends apart on Q1 takes hundreds of rounds, not one more.
    expect(llama.roundsNeeded).toBeGreaterThan(100);
    expect(llama.verdict).toBe('cant-tell');
  });

  test('with rounds on both sides the interval and p come from the rounds (CUDA: llama-8b vs qwen-14b, Q3)', () => {
    const a = find('model', 'backend cuda', 'decodeTokensPerSecond', 'chat:q3');
    expect([a.winner, a.other, a.roundsWinner, a.roundsOther]).toEqual(['llama-8b', 'qwen-14b', 4, 3]);
    // scipy.stats.ttest_ind(log llama Q3 rounds, log qwen Q3 rounds, equal_var=False).
    expect(a.p).toBeCloseTo(0.00023385483307620226, 14);
    expect(a.speedRatio).toBeCloseTo(1.6232376835357478, 12);
    expect(a.ci!.lo).toBeCloseTo(1.4634854333711242, 10);
    expect(a.ci!.hi).toBeCloseTo(1.8004282906875493, 10);
    expect(a.verdict).toBe('winner');
    expect(a.text).toMatch(
      /^backend cuda, chat:q3: llama-8b decodes 62% faster than qwen-14b \(95% CI \+46%…\+80%, p=0\.\d{3}, llama-8b 4 rounds, qwen-14b 3 rounds × 1 repetition\)$/,
    );
  });

  test('overall figures take each round as one replicate of all prompts (rounds are not independent per prompt)', () => {
    const a = find('model', 'backend cuda', 'decodeTokensPerSecond', ALL_PROMPTS);
    // Per round, the mean log tok/s over Q1–Q3; then Welch on the 4 and 3 round values.
    expect(a.p).toBeCloseTo(0.009269909564838747, 12);
    expect(a.speedRatio).toBeCloseTo(1.4653636666686234, 12);
  });

  test('p-values are Holm-adjusted over every tested answer in the list', () => {
    const tested = answers.filter((a) => a.p !== null);
    expect(tested.length).toBeGreaterThan(10);
    expect(tested.map((a) => a.pAdjusted)).toEqual(holmAdjust(tested.map((a) => a.p!)));
    for (const a of answers.filter((x) => x.verdict === 'winner')) expect(a.pAdjusted!).toBeLessThan(0.05);
  });

  test('the Vulkan answers between models say each side has one round', () => {
    const a = find('model', 'backend vulkan', 'decodeTokensPerSecond', ALL_PROMPTS);
    expect(a.reason).toBe('one-round');
    expect(a.roundsNeeded).toBeNull();
    expect(a.text).toContain('each side has one round');
  });
});
