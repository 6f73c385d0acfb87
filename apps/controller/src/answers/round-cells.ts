import type { RoundSample } from '@rigbench/shared';
import { testName } from '../report/group-descriptor.js';
import { caseVariants } from '../report/report-data.js';
import { sampleMetric } from '../report/report-metrics.js';
import type { RunCase, RunDataset } from '../report/run-dataset.js';
import { axisValues, type AxisValues } from './case-axes.js';

/** Metrics the answers rank. */
export const ANSWER_METRICS = ['decodeTokensPerSecond', 'ttftSeconds', 'promptTokensPerSecond'] as const;
export type AnswerMetric = (typeof ANSWER_METRICS)[number];

/** One configuration on one agent and one workload, with its repetitions per round. */
export interface RoundCell {
  agentId: string;
  axes: AxisValues;
  test: string;
  /** What changed from the same configuration elsewhere (see fingerprint-identity.ts); '' when nothing. */
  variant: string;
  /** Per metric, the rounds in the order first seen, each with its repetitions in run order. */
  rounds: Record<AnswerMetric, RoundSample[]>;
}

/**
 * The round of a case: its run, and inside the run the plan round (`rounds:` in the plan) it belongs to.
 * Repetitions of one round share its session; rounds are the replicates.
 */
export function roundKey(ds: RunDataset, c: RunCase): string {
  return `${ds.run.runId}#${c.benchCase.round ?? 0}`;
}

/**
 * Every sample of the given runs, sorted into cells (agent × every axis × workload × fingerprint variant) and,
 * inside a cell, into rounds. Cases of different plan rounds are the same cell; samples of unknown cases are
 * left out (no axis values to rank them by).
 */
export function buildRoundCells(datasets: readonly RunDataset[]): RoundCell[] {
  const variantOf = caseVariants(datasets);
  const cells = new Map<string, RoundCell>();
  const rounds = new Map<string, Map<string, number[]>>();
  datasets.forEach((ds, di) => {
    const cellOf = new Map<string, { cell: RoundCell; round: string }>();
    for (const c of ds.cases) {
      const axes = axisValues(c.benchCase);
      const test = testName(c.benchCase);
      const variant = variantOf(di, c);
      const key = [c.agentId, ...Object.values(axes), test, variant].join('\u0001');
      let cell = cells.get(key);
      if (!cell) {
        cell = {
          agentId: c.agentId,
          axes,
          test,
          variant,
          rounds: { decodeTokensPerSecond: [], ttftSeconds: [], promptTokensPerSecond: [] },
        };
        cells.set(key, cell);
      }
      cellOf.set(`${c.agentId}\u0000${c.caseId}`, { cell, round: roundKey(ds, c) });
    }
    for (const s of ds.samples) {
      const at = cellOf.get(`${s.agentId}\u0000${s.caseId}`);
      if (!at) continue;
      for (const metric of ['decodeTokensPerSecond', 'ttftSeconds', 'promptTokensPerSecond'] as const) {
        const v = sampleMetric(s.sample, metric);
        if (!(v > 0)) continue;
        const id = `${metric}\u0000${at.round}`;
        let perCell = rounds.get(id);
        if (!perCell) rounds.set(id, (perCell = new Map()));
        let list = perCell.get(keyOf(at.cell));
        if (!list) {
          list = [];
          perCell.set(keyOf(at.cell), list);
          at.cell.rounds[metric].push({ round: at.round, values: list });
        }
        list.push(v);
      }
    }
  });
  return [...cells.values()];
}

const keys = new WeakMap<RoundCell, string>();
function keyOf(cell: RoundCell): string {
  let k = keys.get(cell);
  if (k === undefined) {
    k = [cell.agentId, ...Object.values(cell.axes), cell.test, cell.variant].join('\u0001');
    keys.set(cell, k);
  }
  return k;
}
