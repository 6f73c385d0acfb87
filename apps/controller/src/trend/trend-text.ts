import type { FingerprintDifference } from '../compare/compare-types.js';
import { percent } from '../report/number-format.js';
import type { TrendResult } from './trend-types.js';

/** `model.sha256 1a2b…→3c4d…` style: long values shortened so a line stays readable. */
export function describeDifference(d: FingerprintDifference): string {
  const short = (v: string): string => (/^[0-9a-f]{40,}$/.test(v) ? `${v.slice(0, 12)}…` : v);
  return `${d.field} ${d.a.map(short).join('|')}→${d.b.map(short).join('|')}`;
}

/** How the change points are found, in one paragraph (md and html). */
export function trendMethodNote(t: TrendResult): string {
  return (
    `Change points: binary segmentation of the log of the per-run geometric means, each run weighted by ` +
    `1/(within-run variance/n + run-to-run variance); a split must lower −2·log-likelihood by more than ` +
    `max(2·ln(runs), Bonferroni χ²₁ at α=${t.alpha}) and change the level by at least ${percent(t.minRelativeStep)}. ` +
    `Step intervals are ${Math.round(t.confidence * 100)}% t intervals on the log scale, conditional on the ` +
    `change point found. With fewer than 6 runs the run-to-run noise cannot be estimated and steps rest on ` +
    `the repetitions alone (marked "within only").`
  );
}

/** `run-id (label)`, or the id alone. */
export const runName = (p: { runId: string; label: string | null }): string =>
  p.label ? `${p.runId} (${p.label})` : p.runId;
