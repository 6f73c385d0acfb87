/**
 * Where a concurrency sweep saturates, in one sentence per sweep: the serving-load section's answer on top of its
 * table and curve. Read from the levels as measured; a level is one measurement per run, so the sentence says
 * "near the peak" (within {@link NEAR_PEAK} of it) rather than ranking levels whose difference may be noise.
 */
import type { LoadLevelRecord } from '@rigbench/shared';
import { fixed } from '../report/number-format.js';

/** A sweep as the saturation reads it: a title and its levels by concurrency (a `LoadSweep` is one). */
export interface SweepLevels {
  title: string;
  levels: ReadonlyArray<{ level: LoadLevelRecord }>;
}

/** A level whose output throughput is at least this fraction of the sweep's peak counts as "at the peak". */
export const NEAR_PEAK = 0.9;

/** One level's figures that the sentence uses. */
export interface SaturationPoint {
  concurrency: number;
  outputThroughput: number;
  p90TtftMs: number | null;
}

/** What a sweep says about saturation. */
export interface SweepSaturation {
  title: string;
  /** The level with the lowest concurrency. */
  first: SaturationPoint;
  /** The level with the highest output throughput. */
  peak: SaturationPoint;
  /** The lowest concurrency reaching {@link NEAR_PEAK} of the peak: where more in flight stops paying. */
  knee: SaturationPoint;
  /** The level with the highest concurrency. */
  last: SaturationPoint;
  /** The slowest level above the knee (the knee itself when none is above it). */
  low: SaturationPoint;
  /** True when a level above the knee was measured, so the flat part of the curve is seen, not guessed. */
  saturated: boolean;
}

function point(sweep: SweepLevels, i: number): SaturationPoint {
  const { concurrency, summary } = sweep.levels[i]!.level;
  return { concurrency, outputThroughput: summary.output_throughput, p90TtftMs: summary.ttft.p90 };
}

/** The saturation of a sweep (levels by concurrency), or null with fewer than two levels or no throughput. */
export function sweepSaturation(sweep: SweepLevels): SweepSaturation | null {
  if (sweep.levels.length < 2) return null;
  const points = sweep.levels.map((_, i) => point(sweep, i));
  const peak = points.reduce((best, p) => (p.outputThroughput > best.outputThroughput ? p : best));
  if (!(peak.outputThroughput > 0)) return null;
  const knee = points.find((p) => p.outputThroughput >= NEAR_PEAK * peak.outputThroughput)!;
  const last = points.at(-1)!;
  const low = points
    .filter((p) => p.concurrency > knee.concurrency)
    .reduce((slowest, p) => (p.outputThroughput < slowest.outputThroughput ? p : slowest), knee);
  return {
    title: sweep.title,
    first: points[0]!,
    peak,
    knee,
    last,
    low,
    saturated: knee.concurrency < last.concurrency,
  };
}

/** A p90 TTFT change from `from` to `to` as text (`p90 TTFT 2.0 → 9.5 ms`), or '' when either is missing. */
function ttftChange(from: SaturationPoint, to: SaturationPoint): string {
  if (from.p90TtftMs === null || to.p90TtftMs === null) return '';
  return `p90 TTFT ${fixed(from.p90TtftMs, 1)} → ${fixed(to.p90TtftMs, 1)} ms`;
}

/** `x` against the first level (`2.10× the rate at 1 in flight`), or '' for the first level itself. */
function againstFirst(s: SweepSaturation, p: SaturationPoint): string {
  if (p.concurrency === s.first.concurrency || !(s.first.outputThroughput > 0)) return '';
  return `, ${fixed(p.outputThroughput / s.first.outputThroughput, 2)}× the rate at ${s.first.concurrency} in flight`;
}

/**
 * The sentence: where throughput stops growing and what latency does past it, or that the sweep never flattened
 * (and that higher concurrency is the next thing to measure).
 */
export function saturationSentence(s: SweepSaturation): string {
  const tps = (p: SaturationPoint): string => `${fixed(p.outputThroughput, 1)} tok/s`;
  if (!s.saturated) {
    const ttft = ttftChange(s.first, s.last);
    return (
      `${s.title}: not saturated within the sweep — output still rising at ${s.last.concurrency} in flight ` +
      `(${tps(s.last)}${againstFirst(s, s.last)}${ttft ? `; ${ttft}` : ''}); try higher concurrency.`
    );
  }
  const more = (s.peak.outputThroughput / s.knee.outputThroughput - 1) * 100;
  const effect =
    s.low.outputThroughput < NEAR_PEAK * s.knee.outputThroughput
      ? `loses output (${tps(s.low)} at ${s.low.concurrency}, ` +
        `${fixed((s.low.outputThroughput / s.knee.outputThroughput - 1) * 100, 0)} %)`
      : more > 0.5
        ? `adds at most ${fixed(more, 0)} % output`
        : 'adds no output';
  const ttft = ttftChange(s.knee, s.last);
  return (
    `${s.title}: saturates at ${s.knee.concurrency} in flight (${tps(s.knee)}${againstFirst(s, s.knee)}); ` +
    `more in flight, up to ${s.last.concurrency}, ${effect}${ttft ? ` while ${ttft}` : ''}.`
  );
}

/** What the saturation lines rest on (printed under them). */
export const SATURATION_NOTE =
  `Saturation = the lowest concurrency whose output throughput is within ${fixed((1 - NEAR_PEAK) * 100, 0)} % of ` +
  "the sweep's peak. Each level is one measurement per run: run the plan over several rounds before trusting " +
  'a difference between levels of a few percent.';
