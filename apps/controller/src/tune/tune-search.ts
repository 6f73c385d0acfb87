import { geometricMeanInterval, type Interval } from '@rigbench/shared';

/** The figures tune ranks on: decode (tg) and prompt processing (pp) tokens per second. */
export type TuneMetric = 'decode' | 'prompt';
export const TUNE_METRICS: readonly TuneMetric[] = ['decode', 'prompt'];

/** One candidate's standing on one metric. */
export interface RankedCandidate {
  key: string;
  /** Geometric mean of the measured t/s. */
  geomean: number;
  /** 95% interval of the geometric mean (t on the log scale); null with fewer than two values. */
  ci: Interval | null;
  n: number;
  /** geomean / the leader's geomean (1 for the leader). */
  relative: number;
}

/** The decision after a round: the ranking per metric and which candidates still deserve repetitions. */
export interface TuneDecision {
  rankings: Record<TuneMetric, RankedCandidate[]>;
  /** Candidates still open on at least one metric, best first; at most half of those measured (halving). */
  open: string[];
  /** True when nothing is left to settle: one candidate open, or all open ones within the tolerance. */
  settled: boolean;
}

export interface TuneSearchOptions {
  /** Candidates within this fraction of the leader count as equally good (default 0.05: "within 5%"). */
  tolerance?: number;
  confidence?: number;
}

/** Ranks candidates on one metric by geometric mean, with a log-scale t interval for each. */
export function rankOn(values: ReadonlyMap<string, readonly number[]>, confidence = 0.95): RankedCandidate[] {
  const ranked = [...values]
    .filter(([, xs]) => xs.length > 0 && xs.every((x) => x > 0))
    .map(([key, xs]): RankedCandidate => {
      if (xs.length === 1) return { key, geomean: xs[0]!, ci: null, n: 1, relative: 1 };
      const { mean, lo, hi } = geometricMeanInterval(xs, confidence);
      return { key, geomean: mean, ci: { lo, hi }, n: xs.length, relative: 1 };
    })
    .sort((a, b) => b.geomean - a.geomean);
  const best = ranked[0]?.geomean ?? 1;
  for (const r of ranked) r.relative = r.geomean / best;
  return ranked;
}

/**
 * Successive halving with an early stop: a candidate stays open on a metric unless its interval lies wholly
 * below the leader's (it is separated) or it trails by more than the tolerance with no chance left to catch up;
 * of the open ones at most half of those measured (at least two) go on, best first, so each round's budget halves.
 * Settled when at most one candidate is open, or every open one is within the tolerance of the leader on both
 * metrics (any of them is within 5% of the best: more repetitions would not change the advice).
 */
export function decideRound(
  figures: Record<TuneMetric, ReadonlyMap<string, readonly number[]>>,
  measured: readonly string[],
  options: TuneSearchOptions = {},
): TuneDecision {
  const tolerance = options.tolerance ?? 0.05;
  const rankings = {
    decode: rankOn(figures.decode, options.confidence),
    prompt: rankOn(figures.prompt, options.confidence),
  };
  const bestRank = new Map<string, number>();
  const openOn = (metric: TuneMetric): Set<string> => {
    const ranking = rankings[metric];
    const leader = ranking[0];
    const open = new Set<string>();
    if (!leader) return open;
    ranking.forEach((r, i) => {
      const separated = r !== leader && r.ci !== null && leader.ci !== null && r.ci.hi < leader.ci.lo;
      if (!measured.includes(r.key) || separated) return;
      open.add(r.key);
      bestRank.set(r.key, Math.min(bestRank.get(r.key) ?? Infinity, i));
    });
    return open;
  };
  const open = new Set([...openOn('decode'), ...openOn('prompt')]);
  const ordered = [...open].sort((a, b) => (bestRank.get(a) ?? 0) - (bestRank.get(b) ?? 0));
  // Halving, but never below two: two candidates that are not separated both stay until the interval tells.
  const kept = ordered.slice(0, Math.max(2, Math.ceil(measured.length / 2)));
  const withinTolerance = kept.every((key) =>
    TUNE_METRICS.every((m) => (rankings[m].find((r) => r.key === key)?.relative ?? 0) >= 1 - tolerance),
  );
  return { rankings, open: kept, settled: kept.length <= 1 || withinTolerance };
}
