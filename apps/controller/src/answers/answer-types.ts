import type { Interval } from '@rigbench/shared';
import type { AnswerAxis } from './case-axes.js';
import type { AnswerMetric } from './round-cells.js';

/*
 * What an answer is, apart from how it is built: answer-text.ts writes its sentence and build-answers.ts builds
 * it, so the type lives in neither (they would import each other).
 */

/** Scope of an answer over every workload the two sides share. */
export const ALL_PROMPTS = 'all prompts';

/** One answer: which side of an axis is better on a metric, by how much, how sure. */
export interface Answer {
  agentId: string;
  axis: AnswerAxis;
  metric: AnswerMetric;
  /** {@link ALL_PROMPTS} or one workload (`chat:q1`, `pp512`). */
  scope: string;
  /** Short name of what the comparison holds fixed that varies elsewhere, e.g. `llama-8b`; '' when nothing. */
  context: string;
  /** Every other axis value the two sides share (`model llama-8b`, `context 4096`, …), and what the axis implies. */
  heldFixed: string[];
  /** Sides of this context, best first, with their geometric mean (base units). */
  ranking: { side: string; geometricMean: number }[];
  /** The better side of this pair on the estimate, and the other. */
  winner: string;
  other: string;
  /** How much better the winner is, as a factor ≥ 1 (rates: ratio of geometric means; latencies: inverse). */
  speedRatio: number;
  /** Confidence interval of `speedRatio`; null without two rounds on each side. */
  ci: Interval | null;
  p: number | null;
  /** Holm-adjusted over every answer with a p-value in the same list. */
  pAdjusted: number | null;
  /** `winner` when pAdjusted < alpha; otherwise `cant-tell`. */
  verdict: 'winner' | 'cant-tell';
  /** Why not a winner: a side with one round, or a difference within the between-round noise. */
  reason: 'one-round' | 'within-noise' | null;
  roundsWinner: number;
  roundsOther: number;
  repetitions: { min: number; max: number };
  betweenRoundSd: number | null;
  withinRoundSd: number | null;
  warmupOutliers: number;
  /** Rounds per side the power calculation asks for; null when no side has two rounds. */
  roundsNeeded: number | null;
  /** The answer in one sentence. */
  text: string;
}

export interface AnswerOptions {
  alpha?: number;
  confidence?: number;
  /** Only these axes (default: every axis the runs vary). */
  axes?: readonly AnswerAxis[];
}
