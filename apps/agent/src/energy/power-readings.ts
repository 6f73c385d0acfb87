/**
 * Power readings as intervals of constant power, and the energy of a time window over them. Pure functions: the
 * sources (RAPL counters, nvidia-smi) turn what they read into {@link PowerInterval}s, the sampler integrates.
 */

/** Power held constant from `fromMs` to `toMs` (epoch milliseconds). */
export interface PowerInterval {
  fromMs: number;
  toMs: number;
  watts: number;
}

/** A power reading at one instant (nvidia-smi): it stands for the time around it. */
export interface PowerPoint {
  atMs: number;
  watts: number;
}

/** Energy of a window. */
export interface WindowEnergy {
  seconds: number;
  joules: number;
  meanWatts: number;
  /** Highest reading overlapping the window. */
  peakWatts: number;
  /** Readings overlapping the window. */
  readings: number;
  /** Fraction of the window covered by readings; the rest is filled with the nearest reading. */
  coverage: number;
}

/**
 * Turns instantaneous readings into intervals: each point holds from halfway after the previous point to
 * halfway before the next one; the first and last hold for half of `nominalMs` on their open side.
 */
export function pointsToIntervals(points: readonly PowerPoint[], nominalMs: number): PowerInterval[] {
  const out: PowerInterval[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const prev = points[i - 1];
    const next = points[i + 1];
    out.push({
      fromMs: prev ? (prev.atMs + p.atMs) / 2 : p.atMs - nominalMs / 2,
      toMs: next ? (p.atMs + next.atMs) / 2 : p.atMs + nominalMs / 2,
      watts: p.watts,
    });
  }
  return out;
}

/**
 * Energy between `fromMs` and `toMs`: the overlap of every interval times its power, and any uncovered part of
 * the window filled with the power of the nearest interval (so a phase shorter than the sampling interval gets
 * the reading around it, with `readings` and `coverage` saying so). Null when there is no reading at all or the
 * window is empty.
 */
export function windowEnergy(
  intervals: readonly PowerInterval[],
  fromMs: number,
  toMs: number,
): WindowEnergy | null {
  if (!(toMs > fromMs) || intervals.length === 0) return null;
  let joules = 0;
  let coveredMs = 0;
  let peak = -Infinity;
  let readings = 0;
  let nearest: PowerInterval = intervals[0]!;
  let nearestGap = Infinity;
  for (const iv of intervals) {
    const overlap = Math.min(toMs, iv.toMs) - Math.max(fromMs, iv.fromMs);
    if (overlap > 0) {
      joules += (iv.watts * overlap) / 1000;
      coveredMs += overlap;
      peak = Math.max(peak, iv.watts);
      readings++;
    }
    const gap = Math.max(iv.fromMs - toMs, fromMs - iv.toMs, 0);
    if (gap < nearestGap) {
      nearestGap = gap;
      nearest = iv;
    }
  }
  const spanMs = toMs - fromMs;
  const uncovered = Math.max(0, spanMs - coveredMs);
  if (uncovered > 0) {
    joules += (nearest.watts * uncovered) / 1000;
    if (readings === 0) peak = nearest.watts;
  }
  const seconds = spanMs / 1000;
  return {
    seconds,
    joules,
    meanWatts: joules / seconds,
    peakWatts: peak,
    readings,
    coverage: Math.min(1, coveredMs / spanMs),
  };
}

/**
 * Joules between two readings of a wrapping energy counter (RAPL `energy_uj`, in microjoules): when the second
 * is below the first the counter wrapped at `maxRangeUj` (`max_energy_range_uj`).
 */
export function counterDeltaJoules(beforeUj: number, afterUj: number, maxRangeUj: number): number {
  const delta = afterUj >= beforeUj ? afterUj - beforeUj : maxRangeUj - beforeUj + afterUj;
  return delta / 1e6;
}
