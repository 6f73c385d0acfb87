import { descriptorKey, type DescriptorDimension } from './group-descriptor.js';
import type { ReportData } from './report-data.js';
import type { RunDataset } from './run-dataset.js';

/** One cell of the seed table: means over the samples of that round and prompt (normally exactly one). */
export interface SeedCell {
  decodeTokensPerSecond: number | null;
  ttftSeconds: number | null;
}

export interface SeedRow {
  backend: string;
  model: string;
  /**
   * `1`, `2`, … for one run; `<label or run id> #<repetition>` when several runs are combined; `r<round>` before
   * the repetition for plans with `rounds:`.
   */
  round: string;
  /** Values of other varying dimensions (agent, devices, threads, settings). */
  extra: Partial<Record<DescriptorDimension, string>>;
  cells: (SeedCell | null)[];
}

/** The seed post's table: rows backend × model × round, one column per chat prompt with tok/s and TTFT. */
export interface SeedTable {
  prompts: string[];
  extraColumns: DescriptorDimension[];
  rows: SeedRow[];
  /** Rows left out because the table would exceed `maxRows` (the csv and json formats have everything). */
  omittedRows: number;
}

const EXTRA_DIMENSIONS: readonly DescriptorDimension[] = [
  'agentId',
  'devices',
  'threads',
  'settings',
  'variant',
];

/** Plan rounds of a run (1 for plans without `rounds:`). */
function roundsOf(ds: RunDataset): number {
  return Math.max(1, ...ds.cases.map((c) => (c.benchCase.round ?? 0) + 1));
}

/** `3`, `night #2`, or with plan rounds `r2 #1` / `night r2 #1`. */
function roundName(run: string | null, round: number | undefined, rep: number): string {
  const parts = [run, round === undefined ? null : `r${round + 1}`].filter((p) => p !== null);
  return parts.length === 0 ? `${rep + 1}` : `${parts.join(' ')} #${rep + 1}`;
}

/** Builds the seed table from chat groups; skips the per-sample pass when it would have more than `maxRows`. */
export function buildSeedTable(data: ReportData, maxRows = 100): SeedTable {
  const chatGroups = data.groups.filter((g) => g.descriptor.test.startsWith('chat:'));
  const prompts: string[] = [];
  for (const g of chatGroups) {
    const p = g.descriptor.test.slice(5);
    if (!prompts.includes(p)) prompts.push(p);
  }
  const extraColumns = EXTRA_DIMENSIONS.filter((d) => data.varying.includes(d));
  const rowKeyOf = new Map<number, string>();
  const rowKeyOrder = new Map<string, number>();
  const backendOrder: string[] = [];
  const modelOrder: string[] = [];
  for (const g of chatGroups) {
    const key = descriptorKey(g.descriptor, ['test']);
    rowKeyOf.set(g.index, key);
    if (!rowKeyOrder.has(key)) rowKeyOrder.set(key, rowKeyOrder.size);
    if (!backendOrder.includes(g.descriptor.backend)) backendOrder.push(g.descriptor.backend);
    if (!modelOrder.includes(g.descriptor.model)) modelOrder.push(g.descriptor.model);
  }

  // Upper bound of rows: row keys × repetitions, per run.
  let estimate = 0;
  data.datasets.forEach((_ds, di) => {
    const reps = (data.maxRepetition[di]! + 1) * roundsOf(data.datasets[di]!);
    const keys = new Set(
      chatGroups.filter((g) => g.datasetIndexes.includes(di)).map((g) => rowKeyOf.get(g.index)),
    );
    estimate += reps * keys.size;
  });
  if (estimate > maxRows) return { prompts, extraColumns, rows: [], omittedRows: estimate };

  interface Acc {
    sort: number[];
    row: SeedRow;
    sums: { tps: number; tpsN: number; ttft: number; ttftN: number }[];
  }
  const rows = new Map<string, Acc>();
  const combined = data.datasets.length > 1;
  data.datasets.forEach((ds, di) => {
    const sg = data.sampleGroups[di]!;
    const runName = ds.run.label ?? ds.run.runId;
    const planRound = new Map(ds.cases.map((c) => [`${c.agentId}\u0000${c.caseId}`, c.benchCase.round]));
    ds.samples.forEach((s, i) => {
      const g = data.groups[sg[i]!]!;
      const rowKey = rowKeyOf.get(g.index);
      if (rowKey === undefined) return;
      const rep = s.sample.repetition;
      const round = planRound.get(`${s.agentId}\u0000${s.caseId}`);
      const id = `${rowKey}\u0002${di}\u0002${round ?? -1}\u0002${rep}`;
      let acc = rows.get(id);
      if (!acc) {
        const d = g.descriptor;
        const extra: Partial<Record<DescriptorDimension, string>> = {};
        for (const dim of extraColumns) extra[dim] = d[dim];
        acc = {
          sort: [
            backendOrder.indexOf(d.backend),
            modelOrder.indexOf(d.model),
            rowKeyOrder.get(rowKey)!,
            di,
            round ?? -1,
            rep,
          ],
          row: {
            backend: d.backend,
            model: d.model,
            round: roundName(combined ? runName : null, round, rep),
            extra,
            cells: [],
          },
          sums: prompts.map(() => ({ tps: 0, tpsN: 0, ttft: 0, ttftN: 0 })),
        };
        rows.set(id, acc);
      }
      const cell = acc.sums[prompts.indexOf(g.descriptor.test.slice(5))]!;
      if (s.sample.generatedTokens > 1) {
        cell.tps += s.sample.decodeTokensPerSecond;
        cell.tpsN++;
      }
      if (s.sample.ttftSeconds !== null) {
        cell.ttft += s.sample.ttftSeconds;
        cell.ttftN++;
      }
    });
  });
  const sorted = [...rows.values()].sort((a, b) => {
    for (let i = 0; i < a.sort.length; i++) if (a.sort[i] !== b.sort[i]) return a.sort[i]! - b.sort[i]!;
    return 0;
  });
  return {
    prompts,
    extraColumns,
    rows: sorted.map((acc) => ({
      ...acc.row,
      cells: acc.sums.map((c) =>
        c.tpsN === 0 && c.ttftN === 0
          ? null
          : {
              decodeTokensPerSecond: c.tpsN > 0 ? c.tps / c.tpsN : null,
              ttftSeconds: c.ttftN > 0 ? c.ttft / c.ttftN : null,
            },
      ),
    })),
    omittedRows: 0,
  };
}
