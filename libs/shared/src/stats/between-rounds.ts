import { checkConfidence, type Interval } from './confidence-interval.js';
import { quantilesInPlace } from './order-statistics.js';
import { figureResolution, logRatioTest } from './log-ratio-test.js';
import { MAX_REPETITIONS } from './repetitions.js';
import { StatsDomainError } from './stats-errors.js';
import { tQuantile } from './t-distribution.js';

/**
 * Comparisons where the round (a session: one run of a plan, or one of its `rounds:`) is the unit of
 * replication. Repetitions inside a round share the session's state (clocks, thermals, driver, cache), so they
 * only estimate within-round noise; how much a configuration moves from one session to the next is what decides
 * whether a difference is real. Method (docs/measurement.md, "The round is the unit"): per round, the geometric
 * mean of its repetitions (a warm-up outlier left out); then Welch's t-test on the log round means.
 */

/** The repetitions of one configuration in one round, in the order they ran; all > 0. */
export interface RoundSample {
  /** Identifies the round across strata (e.g. `run-id#0`): the overall figure pairs strata by round. */
  round: string;
  values: ArrayLike<number>;
}

/** B against A, with the round as the unit. */
export interface BetweenRoundEstimate {
  /** Geometric mean of B's round means over A's (> 1: B is larger). */
  ratio: number;
  /** Confidence interval of `ratio`; null unless both sides have two rounds or more. */
  ci: Interval | null;
  /** Two-sided p-value (Welch on log round means); null unless both sides have two rounds or more. */
  p: number | null;
  df: number | null;
  roundsA: number;
  roundsB: number;
  /** Fewest and most repetitions a round of either side had (after outliers were left out). */
  repetitions: { min: number; max: number };
  /** Pooled sd of the log round means over the sides with two rounds or more; null when neither has. */
  betweenRoundSd: number | null;
  /** Pooled sd of log repetitions within rounds; null without any round of two repetitions. */
  withinRoundSd: number | null;
  /** First repetitions left out as warm-up outliers. */
  warmupOutliers: number;
  /**
   * Rounds per side that would show a difference of the observed size (or `minimumEffect`, whichever is larger)
   * at `alpha` with `power`, given the between-round sd; null when that sd is unknown. Capped at 1,000,000.
   */
  roundsNeeded: number | null;
}

export interface BetweenRoundOptions {
  confidence?: number;
  /** Significance level the power calculation plans for (default 0.05). */
  alpha?: number;
  /** Power the rounds advice aims for (default 0.8). */
  power?: number;
  /** Smallest relative difference the rounds advice plans to detect (default 0.05 = 5 %). */
  minimumEffect?: number;
}

/** Most rounds the advice ever asks for. */
export const MAX_ROUNDS = MAX_REPETITIONS;

interface RoundMean {
  round: string;
  logMean: number;
  n: number;
  /** Sum of squared log deviations inside the round. */
  ss: number;
}

const OUTLIER_MADS = 4;
const OUTLIER_MIN_LOG = 0.02;

/**
 * Log values of one round with its first repetition left out when it is a warm-up outlier: at least three
 * repetitions, and the first is more than 4 robust sd (1.4826 × MAD of the others, at least 2 %) from the others'
 * median. Warm-up runs are already discarded by the agent; this catches a first measured run still cold.
 */
export function withoutWarmupOutlier(values: ArrayLike<number>): { logs: number[]; leftOut: boolean } {
  const logs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v > 0)) throw new StatsDomainError(`round comparisons need values > 0, got ${v}`);
    logs.push(Math.log(v));
  }
  if (logs.length < 3) return { logs, leftOut: false };
  // Medians by selection (O(n)): rounds of a long run hold thousands of repetitions.
  const rest = Float64Array.from(logs.slice(1));
  const median = quantilesInPlace(rest, [0.5])[0]!;
  const mad = quantilesInPlace(
    rest.map((v) => Math.abs(v - median)),
    [0.5],
  )[0]!;
  const limit = Math.max(OUTLIER_MADS * 1.4826 * mad, OUTLIER_MIN_LOG);
  return Math.abs(logs[0]! - median) > limit
    ? { logs: logs.slice(1), leftOut: true }
    : { logs, leftOut: false };
}

/**
 * Per values array, its round figures: a report compares one configuration's rounds against many others, so
 * they are worked out once (the arrays must not change after they are first compared).
 */
const roundFigures = new WeakMap<
  object,
  { logMean: number; n: number; ss: number; leftOut: boolean; step: number }
>();

function figuresOf(values: ArrayLike<number>): {
  logMean: number;
  n: number;
  ss: number;
  leftOut: boolean;
  step: number;
} {
  const cached = roundFigures.get(values as object);
  if (cached) return cached;
  const { logs, leftOut } = withoutWarmupOutlier(values);
  const m = logs.reduce((a, b) => a + b, 0) / logs.length;
  const f = {
    logMean: m,
    n: logs.length,
    ss: logs.reduce((a, v) => a + (v - m) ** 2, 0),
    leftOut,
    step: figureResolution(values),
  };
  roundFigures.set(values as object, f);
  return f;
}

function roundMeans(rounds: readonly RoundSample[]): { means: RoundMean[]; outliers: number } {
  let outliers = 0;
  const means = rounds
    .filter((r) => r.values.length > 0)
    .map((r) => {
      const f = figuresOf(r.values);
      if (f.leftOut) outliers++;
      return { round: r.round, logMean: f.logMean, n: f.n, ss: f.ss };
    });
  return { means, outliers };
}

function sdOf(groups: readonly (readonly number[])[]): number | null {
  let ss = 0;
  let df = 0;
  for (const g of groups) {
    if (g.length < 2) continue;
    const m = g.reduce((a, b) => a + b, 0) / g.length;
    ss += g.reduce((a, v) => a + (v - m) ** 2, 0);
    df += g.length - 1;
  }
  return df > 0 ? Math.sqrt(ss / df) : null;
}

/**
 * Rounds per side for a two-sided two-sample t-test on log round means to detect a log difference `delta` with
 * sd `sd`: the smallest n ≥ 2 with (t(1−α/2, 2n−2) + t(power, 2n−2)) · sd · √(2/n) ≤ delta (the usual
 * t-approximation of the power of the t-test). Capped at {@link MAX_ROUNDS}.
 */
export function roundsNeeded(sd: number, delta: number, alpha = 0.05, power = 0.8): number {
  if (!(sd >= 0)) throw new StatsDomainError(`between-round sd must be ≥ 0, got ${sd}`);
  if (!(delta > 0)) throw new StatsDomainError(`difference to detect must be > 0, got ${delta}`);
  if (!(alpha > 0 && alpha < 1)) throw new StatsDomainError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(power > 0 && power < 1)) throw new StatsDomainError(`power must be in (0, 1), got ${power}`);
  const fits = (n: number): boolean =>
    (tQuantile(1 - alpha / 2, 2 * n - 2) + tQuantile(power, 2 * n - 2)) * sd * Math.sqrt(2 / n) <= delta;
  if (fits(2)) return 2;
  let lo = 2;
  let hi = 4;
  while (!fits(hi)) {
    if (hi === MAX_ROUNDS) return MAX_ROUNDS;
    lo = hi;
    hi = Math.min(hi * 2, MAX_ROUNDS);
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

function estimate(
  xs: readonly RoundMean[],
  ys: readonly RoundMean[],
  resolution: number,
  outliers: number,
  o: Required<BetweenRoundOptions>,
): BetweenRoundEstimate {
  const mean = (rs: readonly RoundMean[]): number => rs.reduce((a, r) => a + r.logMean, 0) / rs.length;
  const d = mean(ys) - mean(xs);
  const betweenRoundSd = sdOf([xs.map((r) => r.logMean), ys.map((r) => r.logMean)]);
  let wss = 0;
  let wdf = 0;
  for (const r of [...xs, ...ys]) {
    wss += r.ss;
    wdf += r.n - 1;
  }
  const counts = [...xs, ...ys].map((r) => r.n);
  const base = {
    ratio: Math.exp(d),
    roundsA: xs.length,
    roundsB: ys.length,
    repetitions: { min: Math.min(...counts), max: Math.max(...counts) },
    betweenRoundSd,
    withinRoundSd: wdf > 0 ? Math.sqrt(wss / wdf) : null,
    warmupOutliers: outliers,
    roundsNeeded:
      betweenRoundSd === null
        ? null
        : roundsNeeded(betweenRoundSd, Math.max(Math.abs(d), Math.log1p(o.minimumEffect)), o.alpha, o.power),
  };
  if (xs.length < 2 || ys.length < 2) return { ...base, ci: null, p: null, df: null };
  const test = logRatioTest(
    [{ x: xs.map((r) => Math.exp(r.logMean)), y: ys.map((r) => Math.exp(r.logMean)) }],
    { variance: 'welch', confidence: o.confidence, resolution },
  ).overall;
  return { ...base, ci: test.ci, p: test.p, df: test.df };
}

/**
 * B against A per stratum (e.g. per prompt) and over all strata, with the round as the unit. `a[i]` and `b[i]`
 * are the rounds of stratum i; every stratum needs a round on both sides. The overall figure takes, per round,
 * the mean of its strata's log means over the rounds that have every stratum (a round's prompts share its session
 * effect, so they are not independent replicates), then compares those round values.
 */
export function compareByRounds(
  a: readonly (readonly RoundSample[])[],
  b: readonly (readonly RoundSample[])[],
  options: BetweenRoundOptions = {},
): { overall: BetweenRoundEstimate; strata: BetweenRoundEstimate[] } {
  const o: Required<BetweenRoundOptions> = {
    confidence: options.confidence ?? 0.95,
    alpha: options.alpha ?? 0.05,
    power: options.power ?? 0.8,
    minimumEffect: options.minimumEffect ?? 0.05,
  };
  checkConfidence(o.confidence);
  if (a.length === 0 || a.length !== b.length)
    throw new StatsDomainError('round comparison needs the same strata (at least one) on both sides');
  const resolutionOf = (rounds: readonly RoundSample[]): number =>
    Math.min(...rounds.filter((r) => r.values.length > 0).map((r) => figuresOf(r.values).step));
  const strata = a.map((ra, i) => {
    const rb = b[i]!;
    const ma = roundMeans(ra);
    const mb = roundMeans(rb);
    if (ma.means.length === 0 || mb.means.length === 0)
      throw new StatsDomainError(`stratum ${i} has no round on one side`);
    return {
      ma,
      mb,
      resolution: Math.min(resolutionOf(ra), resolutionOf(rb)),
    };
  });
  const perStratum = strata.map((s) =>
    estimate(s.ma.means, s.mb.means, s.resolution, s.ma.outliers + s.mb.outliers, o),
  );
  const overallSide = (side: 'ma' | 'mb'): RoundMean[] => {
    const byRound = new Map<string, RoundMean[]>();
    for (const s of strata)
      for (const r of s[side].means) byRound.set(r.round, [...(byRound.get(r.round) ?? []), r]);
    return [...byRound.entries()]
      .filter(([, rs]) => rs.length === strata.length)
      .map(([round, rs]) => ({
        round,
        logMean: rs.reduce((acc, r) => acc + r.logMean, 0) / rs.length,
        n: Math.min(...rs.map((r) => r.n)),
        ss: rs.reduce((acc, r) => acc + r.ss, 0) / rs.length,
      }));
  };
  const oa = overallSide('ma');
  const ob = overallSide('mb');
  const outliers = strata.reduce((acc, s) => acc + s.ma.outliers + s.mb.outliers, 0);
  const overall =
    oa.length > 0 && ob.length > 0
      ? estimate(oa, ob, Math.min(...strata.map((s) => s.resolution)), outliers, o)
      : {
          ...perStratum[0]!,
          ratio: NaN,
          ci: null,
          p: null,
          df: null,
          roundsA: oa.length,
          roundsB: ob.length,
        };
  return { overall, strata: perStratum };
}
