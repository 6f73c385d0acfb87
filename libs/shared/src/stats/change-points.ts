import { checkConfidence, type Interval } from './confidence-interval.js';
import { median } from './descriptive.js';
import { normalQuantile } from './normal-distribution.js';
import { StatsDomainError } from './stats-errors.js';
import { tQuantile } from './t-distribution.js';

/**
 * Change points in a benchmark figure over time, on the log scale.
 *
 * Model. The series is a sequence of blocks (one per run), each holding that run's repetitions, all > 0. On the
 * log scale, block i has mean m_i over n_i values. Between change points the true level is constant; a block's
 * mean scatters around it with variance v_i = σ²_w / n_i + τ², where σ²_w is the within-run (repetition) noise
 * and τ² the extra run-to-run noise (thermals, other load, a reboot) that more repetitions cannot remove.
 *
 * Fit. Binary segmentation on the weighted sum of squares Σ w_i (m_i − μ)², w_i = 1 / v_i, which is −2 log L of
 * the Gaussian mean-shift model up to a constant. A segment is split at the boundary with the largest drop in
 * that cost, when the drop exceeds the penalty and the step is at least `minRelativeStep`; both halves are
 * then searched again. Change points fall only between blocks: one run is one level.
 *
 * Penalty. BIC charges 2·ln(n) per change point (a new level and a location; n = blocks). At small n that
 * lets noise through, because the best of n − 1 candidate splits is tested; so the penalty is floored at the
 * Bonferroni-corrected χ²₁ critical value, (z at 1 − α / (2(n − 1)))², with α = `alpha` (default 0.05):
 * on a series without steps, a first false split happens at most about α of the time.
 *
 * Noise. σ²_w is the pooled within-block variance of the logs (or the caller's, pooled over more series). τ²
 * is estimated from successive block differences, robustly (medians, so a few real steps do not inflate it):
 * E[(m_{i+1} − m_i)²] = σ²_w (1/n_i + 1/n_{i+1}) + 2τ² outside steps. It needs at least `minBlocksForBetween`
 * blocks (default 6); with fewer it is taken as 0, which makes the fit trust the repetitions alone, and the
 * result says so (`betweenEstimated: false`).
 *
 * Steps. Each change point reports the ratio of the weighted geometric means of the segments on either side,
 * with a t interval (df: blocks − segments when τ² is estimated, else the within df). The interval is
 * conditional on the change point found, so it is somewhat narrow (selection is not accounted for).
 */

/** One run's values of the figure (all > 0, e.g. tokens per second of each repetition). */
export type ChangePointBlock = ArrayLike<number>;

/** Options of {@link detectChangePoints}. */
export interface ChangePointOptions {
  /** Family-wise false-split rate the penalty floor is built for (default 0.05). */
  alpha?: number;
  /** Overrides the penalty, in units of −2 log-likelihood per change point. */
  penalty?: number;
  /** Smallest step reported, as a relative change (0.05 = 5 %); default 0. */
  minRelativeStep?: number;
  /** Fewest blocks in a segment (default 1). */
  minSegmentBlocks?: number;
  /** Confidence of the step intervals (default 0.95). */
  confidence?: number;
  /** Within-run variance of the logs pooled elsewhere (e.g. over every group of the same agent), with its df. */
  withinVariance?: { variance: number; df: number };
  /** Blocks needed before τ² is estimated (default 6). */
  minBlocksForBetween?: number;
}

/** A level between change points. */
export interface ChangePointSegment {
  /** First block (inclusive). */
  start: number;
  /** Last block + 1. */
  end: number;
  /** Weighted geometric mean of the blocks, in the unit of the values. */
  level: number;
}

/** A change of level before block `index`. */
export interface ChangePoint {
  /** First block of the new level. */
  index: number;
  /** Level after / level before. */
  ratio: number;
  /** Confidence interval of `ratio`. */
  ci: Interval;
  /** Drop of −2 log L this split bought (compare with `penalty`). */
  gain: number;
  before: number;
  after: number;
}

/** What {@link detectChangePoints} found. */
export interface ChangePointResult {
  changePoints: ChangePoint[];
  segments: ChangePointSegment[];
  /** Penalty used per change point. */
  penalty: number;
  /** Within-run standard deviation of the logs (≈ relative noise of one repetition). */
  withinSd: number;
  withinDf: number;
  /** Run-to-run standard deviation of the logs beyond the within noise; 0 when not estimated. */
  betweenSd: number;
  betweenEstimated: boolean;
  /** Geometric mean of each block (NaN for an empty block). */
  blockLevels: number[];
  confidence: number;
}

/** Floor on a block's variance, so noiseless synthetic data cannot produce infinite weights. */
const MIN_VARIANCE = 1e-12;
/** Median of χ²₁: turns a median of squared normal deviates into a variance. */
const CHI2_1_MEDIAN = 0.454936423119572;

interface BlockMoments {
  n: number;
  mean: number;
  ss: number;
}

function moments(block: ChangePointBlock, index: number): BlockMoments {
  let sum = 0;
  for (let j = 0; j < block.length; j++) {
    const v = block[j]!;
    if (!(v > 0) || !Number.isFinite(v))
      throw new StatsDomainError(`change points need finite values > 0: block ${index}[${j}] is ${v}`);
    sum += Math.log(v);
  }
  const mean = block.length > 0 ? sum / block.length : NaN;
  let ss = 0;
  for (let j = 0; j < block.length; j++) ss += (Math.log(block[j]!) - mean) ** 2;
  return { n: block.length, mean, ss };
}

/** Σ w, Σ w·m, Σ w·m² prefix sums: any segment's weighted cost in O(1). */
class WeightedPrefix {
  readonly w: Float64Array;
  readonly wm: Float64Array;
  readonly wmm: Float64Array;
  constructor(means: readonly number[], weights: readonly number[]) {
    const k = means.length;
    this.w = new Float64Array(k + 1);
    this.wm = new Float64Array(k + 1);
    this.wmm = new Float64Array(k + 1);
    for (let i = 0; i < k; i++) {
      this.w[i + 1] = this.w[i]! + weights[i]!;
      this.wm[i + 1] = this.wm[i]! + weights[i]! * means[i]!;
      this.wmm[i + 1] = this.wmm[i]! + weights[i]! * means[i]! ** 2;
    }
  }
  weight(a: number, b: number): number {
    return this.w[b]! - this.w[a]!;
  }
  mean(a: number, b: number): number {
    return (this.wm[b]! - this.wm[a]!) / this.weight(a, b);
  }
  cost(a: number, b: number): number {
    const w = this.weight(a, b);
    const wm = this.wm[b]! - this.wm[a]!;
    return Math.max(0, this.wmm[b]! - this.wmm[a]! - (wm * wm) / w);
  }
}

function pooledWithin(blocks: readonly BlockMoments[]): { variance: number; df: number } {
  let ss = 0;
  let df = 0;
  for (const b of blocks) {
    ss += b.ss;
    df += Math.max(0, b.n - 1);
  }
  return { variance: df > 0 ? ss / df : 0, df };
}

function estimateBetween(blocks: readonly BlockMoments[], within: number): number {
  const d2: number[] = [];
  const expected: number[] = [];
  for (let i = 1; i < blocks.length; i++) {
    d2.push((blocks[i]!.mean - blocks[i - 1]!.mean) ** 2);
    expected.push(within * (1 / blocks[i]!.n + 1 / blocks[i - 1]!.n));
  }
  return Math.max(0, (median(d2) / CHI2_1_MEDIAN - median(expected)) / 2);
}

/** The BIC penalty floored at the Bonferroni χ²₁ critical value for `blocks` blocks (see the module doc). */
export function changePointPenalty(blocks: number, alpha = 0.05): number {
  if (!(alpha > 0 && alpha < 1)) throw new StatsDomainError(`alpha must be in (0, 1), got ${alpha}`);
  if (blocks < 2) return Infinity;
  const z = normalQuantile(1 - alpha / (2 * (blocks - 1)));
  return Math.max(2 * Math.log(blocks), z * z);
}

/**
 * Finds the runs where a figure's level changed (see the module doc for the model, penalty and limits).
 * Empty blocks are allowed (a run without values for this figure): they carry no weight and never start a
 * segment on their own. Throws {@link StatsDomainError} for values ≤ 0 or not finite.
 */
export function detectChangePoints(
  blocks: readonly ChangePointBlock[],
  options: ChangePointOptions = {},
): ChangePointResult {
  const confidence = options.confidence ?? 0.95;
  checkConfidence(confidence);
  const minStep = options.minRelativeStep ?? 0;
  const minSegment = options.minSegmentBlocks ?? 1;
  if (!(minStep >= 0)) throw new StatsDomainError(`minRelativeStep must be ≥ 0, got ${minStep}`);
  if (!(Number.isInteger(minSegment) && minSegment >= 1))
    throw new StatsDomainError(`minSegmentBlocks must be a whole number ≥ 1, got ${minSegment}`);

  const all = blocks.map((b, i) => moments(b, i));
  const blockLevels = all.map((b) => Math.exp(b.mean));
  // Only blocks with values take part; indices map back to the caller's blocks.
  const used = all.map((b, i) => ({ b, i })).filter((x) => x.b.n > 0);
  const k = used.length;
  const pooled = options.withinVariance ?? pooledWithin(used.map((x) => x.b));
  const within = Math.max(pooled.variance, MIN_VARIANCE);
  const betweenEstimated = k >= (options.minBlocksForBetween ?? 6);
  const between = betweenEstimated
    ? estimateBetween(
        used.map((x) => x.b),
        within,
      )
    : 0;
  const penalty = options.penalty ?? changePointPenalty(k, options.alpha ?? 0.05);

  const means = used.map((x) => x.b.mean);
  const weights = used.map((x) => 1 / Math.max(within / x.b.n + between, MIN_VARIANCE));
  const prefix = new WeightedPrefix(means, weights);

  const cuts: { at: number; gain: number }[] = [];
  const search = (a: number, b: number): void => {
    if (b - a < 2 * minSegment) return;
    const whole = prefix.cost(a, b);
    let best: { at: number; gain: number } | null = null;
    for (let s = a + minSegment; s <= b - minSegment; s++) {
      const gain = whole - prefix.cost(a, s) - prefix.cost(s, b);
      const step = Math.abs(Math.expm1(prefix.mean(s, b) - prefix.mean(a, s)));
      if (step < minStep) continue;
      if (!best || gain > best.gain) best = { at: s, gain };
    }
    if (!best || !(best.gain > penalty)) return;
    cuts.push(best);
    search(a, best.at);
    search(best.at, b);
  };
  search(0, k);
  cuts.sort((x, y) => x.at - y.at);

  const bounds = [0, ...cuts.map((c) => c.at), k];
  const segmentCount = bounds.length - 1;
  const df = betweenEstimated ? Math.max(1, k - segmentCount) : Math.max(1, pooled.df);
  const q = tQuantile(1 - (1 - confidence) / 2, df);
  const changePoints: ChangePoint[] = cuts.map((cut, c) => {
    const left = [bounds[c]!, cut.at] as const;
    const right = [cut.at, bounds[c + 2]!] as const;
    const d = prefix.mean(...right) - prefix.mean(...left);
    const se = Math.sqrt(1 / prefix.weight(...left) + 1 / prefix.weight(...right));
    return {
      index: used[cut.at]!.i,
      ratio: Math.exp(d),
      ci: { lo: Math.exp(d - q * se), hi: Math.exp(d + q * se) },
      gain: cut.gain,
      before: Math.exp(prefix.mean(...left)),
      after: Math.exp(prefix.mean(...right)),
    };
  });
  const segments: ChangePointSegment[] =
    k === 0
      ? []
      : bounds.slice(0, -1).map((start, s) => ({
          start: s === 0 ? 0 : used[start]!.i,
          end: s === segmentCount - 1 ? blocks.length : used[bounds[s + 1]!]!.i,
          level: Math.exp(prefix.mean(start, bounds[s + 1]!)),
        }));
  return {
    changePoints,
    segments,
    penalty,
    withinSd: Math.sqrt(pooled.variance),
    withinDf: pooled.df,
    betweenSd: Math.sqrt(between),
    betweenEstimated,
    blockLevels,
    confidence,
  };
}
