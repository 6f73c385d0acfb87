import { buildBenchRows } from './bench-table.js';
import type { FingerprintSummary } from './fingerprint-summary.js';
import { fixed, percent } from './number-format.js';
import type { GroupStats, ReportData } from './report-data.js';
import { METRICS, type MetricId } from './report-metrics.js';
import type { SeedTable } from './seed-table.js';

/** A table before it becomes markdown or HTML. */
export interface TableSpec {
  header: string[];
  rows: string[][];
  /** Right-aligned columns. */
  right?: number[];
}

const DIMENSION_TITLES: Record<string, string> = {
  agentId: 'agent',
  devices: 'devices',
  threads: 'threads',
  settings: 'settings',
  variant: 'what changed',
};

export function runsTable(data: ReportData): TableSpec {
  return {
    header: [
      'run',
      'label',
      'plan',
      'started',
      'finished',
      'status',
      'agents',
      'cases ok/failed/skipped/unfinished',
      'samples',
    ],
    rows: data.datasets.map((ds) => {
      const o = { ok: 0, failed: 0, skipped: 0, unfinished: 0 };
      for (const c of ds.cases) o[c.outcome ?? 'unfinished']++;
      return [
        ds.run.runId,
        ds.run.label ?? '—',
        ds.run.planName,
        ds.run.startedAt,
        ds.run.finishedAt ?? '—',
        ds.run.status,
        ds.agents.map((a) => a.agentId).join(', '),
        `${o.ok}/${o.failed}/${o.skipped}/${o.unfinished}`,
        String(ds.samples.length),
      ];
    }),
    right: [8],
  };
}

/** Warnings for runs that are not complete, one line each. */
export function runWarnings(data: ReportData): string[] {
  return data.datasets.flatMap((ds) =>
    ds.run.status === 'complete'
      ? []
      : [`Run ${ds.run.runId} is ${ds.run.status}.`, ...ds.run.missing.map((m) => `${ds.run.runId}: ${m}`)],
  );
}

/** Failed and skipped cases folded to one entry per outcome and reason, most frequent first. */
export interface ProblemReason {
  outcome: 'failed' | 'skipped';
  reason: string;
  count: number;
  /** `run agent case` of each, in report order. */
  cases: string[];
}

export function problemReasons(data: ReportData): ProblemReason[] {
  const byReason = new Map<string, ProblemReason>();
  for (const ds of data.datasets)
    for (const c of ds.cases) {
      if (c.outcome !== 'failed' && c.outcome !== 'skipped') continue;
      const reason = c.reason ?? 'no reason given';
      const key = `${c.outcome}\u0000${reason}`;
      let r = byReason.get(key);
      if (!r) byReason.set(key, (r = { outcome: c.outcome, reason, count: 0, cases: [] }));
      r.count++;
      r.cases.push(`${ds.run.runId} ${c.agentId} ${c.caseId}`);
    }
  return [...byReason.values()].sort((a, b) => b.count - a.count);
}

/** One row per outcome and reason: how many cases, and the first few of them. */
export function problemReasonsTable(data: ReportData, listed = 3): TableSpec | null {
  const reasons = problemReasons(data);
  if (reasons.length === 0) return null;
  return {
    header: ['outcome', 'cases', 'reason', 'e.g.'],
    rows: reasons.map((r) => [
      r.outcome,
      String(r.count),
      r.reason,
      r.cases.slice(0, listed).join('; ') + (r.count > listed ? `; and ${r.count - listed} more` : ''),
    ]),
    right: [1],
  };
}

export function problemCasesTable(data: ReportData): TableSpec | null {
  const rows = data.datasets.flatMap((ds) =>
    ds.cases
      .filter((c) => c.outcome === 'failed' || c.outcome === 'skipped')
      .map((c) => [ds.run.runId, c.agentId, c.caseId, c.outcome!, c.reason ?? '—']),
  );
  return rows.length === 0 ? null : { header: ['run', 'agent', 'case', 'outcome', 'reason'], rows };
}

export function seedTableSpec(table: SeedTable): TableSpec {
  return {
    header: [
      'backend',
      'model',
      ...table.extraColumns.map((d) => DIMENSION_TITLES[d] ?? d),
      'round',
      ...table.prompts.map((p) => `${p} (tok/s, TTFT s)`),
    ],
    rows: table.rows.map((r) => [
      r.backend,
      r.model,
      ...table.extraColumns.map((d) => r.extra[d] ?? ''),
      r.round,
      ...r.cells.map((c) => (c ? `${fixed(c.decodeTokensPerSecond, 2)}, ${fixed(c.ttftSeconds, 2)}` : '—')),
    ]),
  };
}

export function benchTableSpec(data: ReportData): TableSpec {
  const withAgent = data.varying.includes('agentId');
  const header = [
    ...(withAgent ? ['agent'] : []),
    'model',
    'backend',
    'devices',
    'threads',
    'test',
    'n',
    't/s',
  ];
  return {
    header,
    rows: buildBenchRows(data.groups).map((r) => {
      const s = r.tokensPerSecond;
      const tps = s ? `${fixed(s.mean, 2)} ± ${s.sd === null ? '—' : fixed(s.sd, 2)}` : '—';
      return [
        ...(withAgent ? [r.group.descriptor.agentId] : []),
        r.model,
        r.backend,
        r.devices,
        r.threads,
        r.test,
        String(s?.n ?? 0),
        tps,
      ];
    }),
    right: [header.length - 2, header.length - 1],
  };
}

/**
 * The interval of a group: for rates the geometric mean's, on the log scale (never a negative tok/s); for times
 * and sizes the mean's, never below 0.
 */
function intervalText(g: GroupStats, metric: MetricId, f: (v: number) => string): string {
  const s = g.metrics[metric]!;
  return s.ci ? `${f(Math.max(0, s.ci.lo))} .. ${f(s.ci.hi)}` : '—';
}

export function metricTableSpec(data: ReportData, metric: MetricId): TableSpec | null {
  const info = METRICS[metric];
  const f = (v: number | null | undefined): string =>
    v === null || v === undefined ? '—' : fixed(v * info.displayFactor, info.digits);
  const rows = data.groups
    .filter((g) => g.metrics[metric] !== null)
    .map((g) => {
      const s = g.metrics[metric]!;
      return [
        g.label,
        String(s.n),
        f(s.mean),
        f(s.sd),
        f(s.min),
        f(s.median),
        f(s.p90),
        f(s.p99),
        f(s.max),
        intervalText(g, metric, f),
        percent(s.cv),
      ];
    });
  if (rows.length === 0) return null;
  return {
    header: [
      'group',
      'n',
      'mean',
      'sd',
      'min',
      'median',
      'p90',
      'p99',
      'max',
      info.unit === 'tok/s' ? '95% CI (log scale)' : '95% CI of mean',
      'CV',
    ],
    rows,
    right: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  };
}

export function metricTitle(metric: MetricId): string {
  const info = METRICS[metric];
  return `${info.label} (${info.displayUnit}, ${info.better} is better)`;
}

export function fingerprintTables(summary: FingerprintSummary): {
  varied: TableSpec | null;
  same: TableSpec;
} {
  return {
    varied:
      summary.varied.length === 0
        ? null
        : {
            header: ['field', 'value', 'cases', 'where', 'runs'],
            rows: summary.varied.flatMap((v) =>
              v.values.map((x, i) => [
                i === 0 ? v.field : '',
                x.value,
                String(x.cases),
                x.where.join(', '),
                x.runs.join(', '),
              ]),
            ),
          },
    same: { header: ['field', 'value'], rows: summary.same.map((s) => [s.field, s.value]) },
  };
}

/**
 * "What changed": the varied fingerprint fields whose values differ for the same configuration (two values seen
 * by one `backend model` pair, e.g. the llama.cpp release of cuda llama-8b between morning and night), not the
 * fields that differ only because the runs test different backends or models. Null when nothing changed.
 */
export function whatChangedTable(summary: FingerprintSummary): TableSpec | null {
  const changed = summary.varied.filter((v) =>
    v.values.some((x, i) => v.values.some((y, j) => j > i && x.where.some((w) => y.where.includes(w)))),
  );
  if (changed.length === 0) return null;
  return {
    header: ['field', 'value', 'cases', 'where', 'runs'],
    rows: changed.flatMap((v) =>
      v.values.map((x, i) => [
        i === 0 ? v.field : '',
        x.value,
        String(x.cases),
        x.where.join(', '),
        x.runs.join(', '),
      ]),
    ),
  };
}

export const METHOD_NOTE =
  'Percentiles interpolate linearly between order statistics (Hyndman & Fan type 7, the numpy and R default); ' +
  'sd is the sample standard deviation (n − 1); for rates (tok/s) the interval is Student t on the logs, ' +
  'back-transformed (an interval of the geometric mean, never below 0), for times the Student t interval of the ' +
  'mean; these intervals treat repetitions as independent, the answers on top use rounds; CV = sd / mean. ' +
  'Model load is one figure per case and run.';
