import type { RoundSample } from '@rigbench/shared';
import { testName } from '../report/group-descriptor.js';
import { caseVariants } from '../report/report-data.js';
import { sampleMetric } from '../report/report-metrics.js';
import type { RunCase, RunDataset } from '../report/run-dataset.js';
import { axisValues, type AxisValues } from './case-axes.js';

/** Metrics the answers rank (tokens per joule only where a power source was readable: no values, no line). */
export const ANSWER_METRICS = [
  'decodeTokensPerSecond',
  'ttftSeconds',
  'promptTokensPerSecond',
  'decodeTokensPerJoule',
] as const;
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
  // Per cell, the lists of each round already handed out (a round's cases of one cell share them).
  const roundLists = new Map<RoundCell, Map<string, number[][]>>();
  datasets.forEach((ds, di) => {
    /** agent → case → the three lists (one per metric) its samples go to. */
    const listsOf = new Map<string, Map<string, number[][]>>();
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
          rounds: {
            decodeTokensPerSecond: [],
            ttftSeconds: [],
            promptTokensPerSecond: [],
            decodeTokensPerJoule: [],
          },
        };
        cells.set(key, cell);
        roundLists.set(cell, new Map());
      }
      const round = roundKey(ds, c);
      const perRound = roundLists.get(cell)!;
      let lists = perRound.get(round);
      if (!lists) {
        lists = ANSWER_METRICS.map(() => []);
        perRound.set(round, lists);
        ANSWER_METRICS.forEach((m, i) => cell.rounds[m].push({ round, values: lists![i]! }));
      }
      let perAgent = listsOf.get(c.agentId);
      if (!perAgent) listsOf.set(c.agentId, (perAgent = new Map()));
      perAgent.set(c.caseId, lists);
    }
    // Samples of a case come back to back: most samples reuse the previous sample's lists.
    let lastAgent: string | undefined;
    let lastCase: string | undefined;
    let lists: number[][] | undefined;
    for (const s of ds.samples) {
      if (s.caseId !== lastCase || s.agentId !== lastAgent) {
        lists = listsOf.get(s.agentId)?.get(s.caseId);
        lastAgent = s.agentId;
        lastCase = s.caseId;
      }
      if (!lists) continue;
      for (let i = 0; i < ANSWER_METRICS.length; i++) {
        const v = sampleMetric(s.sample, ANSWER_METRICS[i]!);
        if (v > 0) lists[i]!.push(v);
      }
    }
  });
  // Rounds of a metric with no value (a raw pp test has no decode rate) are left out.
  for (const cell of cells.values())
    for (const m of ANSWER_METRICS) cell.rounds[m] = cell.rounds[m].filter((r) => r.values.length > 0);
  return [...cells.values()];
}
