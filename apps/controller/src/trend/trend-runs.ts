import { RunPlanUnreadableError, buildRunDataset } from '../store/build-run-dataset.js';
import type { RunStore } from '../store/run-store.js';
import type { RunDataset } from '../report/run-dataset.js';

/** Most runs a trend reads (newest first); older ones are reported as skipped. */
export const MAX_TREND_RUNS = 1000;

/** Which runs of the store a trend covers. */
export interface TrendRunSelection {
  /** Only runs started at or after this time. */
  since?: Date;
  /** Most runs read, newest first (default and upper bound {@link MAX_TREND_RUNS}). */
  maxRuns?: number;
}

/**
 * The datasets of the store's runs for a trend, oldest first. Runs without a readable plan (their cases cannot
 * be rebuilt) are skipped with the reason, never silently.
 */
export function loadTrendDatasets(
  store: RunStore,
  selection: TrendRunSelection = {},
): { datasets: RunDataset[]; skipped: { runId: string; reason: string }[] } {
  const maxRuns = Math.min(selection.maxRuns ?? MAX_TREND_RUNS, MAX_TREND_RUNS);
  const rows = store.listRuns(maxRuns + 1);
  const skipped: { runId: string; reason: string }[] = [];
  if (rows.length > maxRuns) {
    skipped.push({ runId: '(older runs)', reason: `only the newest ${maxRuns} runs are read` });
    rows.length = maxRuns;
  }
  const datasets: RunDataset[] = [];
  for (const row of rows) {
    let ds: RunDataset;
    try {
      ds = buildRunDataset(store, row.runId);
    } catch (error) {
      if (!(error instanceof RunPlanUnreadableError)) throw error;
      skipped.push({ runId: row.runId, reason: error.message });
      continue;
    }
    if (selection.since && Date.parse(ds.run.startedAt) < selection.since.getTime()) continue;
    datasets.push(ds);
  }
  datasets.sort((a, b) => a.run.startedAt.localeCompare(b.run.startedAt));
  return { datasets, skipped };
}
