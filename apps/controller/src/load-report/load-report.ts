/**
 * Serving-load levels in reports: one table row per level (vLLM `bench serve` names), one saturation curve per
 * sweep (the levels of one load test on one agent, model, backend and run), and the levels as JSON.
 */
import { loadLevelWatts, type LoadLevelRecord } from '@rigbench/shared';
import { backendLabel } from '../report/group-descriptor.js';
import { fixed, percent, stable } from '../report/number-format.js';
import type { TableSpec } from '../report/report-tables.js';
import type { RunDataset } from '../report/run-dataset.js';
import { escapeXml } from '../report/svg-charts.js';
import { LOAD_CURVE_CSS, LOAD_CURVE_LEGEND, loadCurveSvg, type LoadCurvePoint } from './load-curve.js';
import { SATURATION_NOTE, saturationSentence, sweepSaturation } from './saturation.js';

/** One level with what it ran on. */
export interface LoadReportLevel {
  runId: string;
  runLabel: string | null;
  agentId: string;
  caseId: string;
  model: string;
  backend: string;
  level: LoadLevelRecord;
}

/** The levels of one load test on one agent, model, backend and run, by concurrency: one curve. */
export interface LoadSweep {
  title: string;
  levels: LoadReportLevel[];
}

/** Every load level of the datasets, in run, agent and concurrency order. */
export function loadReportLevels(datasets: readonly RunDataset[]): LoadReportLevel[] {
  const out: LoadReportLevel[] = [];
  for (const ds of datasets) {
    const cases = new Map(ds.cases.map((c) => [`${c.agentId}\u0000${c.caseId}`, c]));
    for (const l of ds.loadLevels ?? []) {
      const c = cases.get(`${l.agentId}\u0000${l.caseId}`);
      out.push({
        runId: ds.run.runId,
        runLabel: ds.run.label,
        agentId: l.agentId,
        caseId: l.caseId,
        model: c?.benchCase.model.id ?? '?',
        backend: c ? backendLabel(c.benchCase, c.fingerprint) : '?',
        level: l.level,
      });
    }
  }
  return out;
}

/** Levels grouped into sweeps (one per run, agent, model, backend, test and stream), levels by concurrency. */
export function loadSweeps(levels: readonly LoadReportLevel[], manyRuns: boolean): LoadSweep[] {
  const sweeps = new Map<string, LoadSweep>();
  for (const l of levels) {
    const stream = l.level.stream === 'poisson' ? `, Poisson ${l.level.arrivalRate} req/s` : '';
    const run = manyRuns ? ` (${l.runLabel ?? l.runId})` : '';
    const title = `${l.agentId} ${l.model} ${l.backend} ${l.level.testId}${stream}, t=${l.level.threads}${run}`;
    const sweep = sweeps.get(title) ?? { title, levels: [] };
    sweep.levels.push(l);
    sweeps.set(title, sweep);
  }
  for (const s of sweeps.values()) s.levels.sort((a, b) => a.level.concurrency - b.level.concurrency);
  return [...sweeps.values()];
}

/** A sweep as the points of its curve. */
export function curvePoints(sweep: LoadSweep): LoadCurvePoint[] {
  return sweep.levels.map(({ level: { concurrency, summary: s } }) => ({
    concurrency,
    outputThroughput: s.output_throughput,
    p90TtftMs: s.ttft.p90,
    p90ItlMs: s.itl.p90,
    goodput: s.goodput,
  }));
}

/** The SLOs of a level as a short text (`TTFT ≤ 2000 ms, ITL p90 ≤ 100 ms`), or `none`. */
export function sloText(slo: LoadLevelRecord['slo']): string {
  if (slo === null) return 'none';
  const parts = [
    slo.ttftMs === undefined ? '' : `TTFT ≤ ${slo.ttftMs} ms`,
    slo.itlP90Ms === undefined ? '' : `ITL p90 ≤ ${slo.itlP90Ms} ms`,
    slo.e2elMs === undefined ? '' : `E2EL ≤ ${slo.e2elMs} ms`,
  ].filter((p) => p !== '');
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/**
 * The serving-load table: one row per level, columns named as vLLM `bench serve` prints them; output tokens per
 * joule and mean power join them when any level was measured with a power source.
 */
export function loadLevelTable(sweeps: readonly LoadSweep[]): TableSpec {
  const withEnergy = sweeps.some((sweep) =>
    sweep.levels.some(({ level }) => loadLevelWatts(level.energy) !== null),
  );
  const rows = sweeps.flatMap((sweep) =>
    sweep.levels.map(({ level: l }) => {
      const s = l.summary;
      const energy = withEnergy
        ? [fixed(l.energy?.outputTokensPerJoule, 2), fixed(loadLevelWatts(l.energy), 1)]
        : [];
      return [
        sweep.title,
        String(l.concurrency),
        `${s.completed}/${l.requests.length}`,
        fixed(s.request_throughput, 2),
        fixed(s.output_throughput, 1),
        fixed(s.ttft.median, 1),
        fixed(s.ttft.p90, 1),
        fixed(s.tpot.median, 2),
        fixed(s.itl.p90, 2),
        fixed(s.itl.p99, 2),
        fixed(s.e2el.median, 1),
        fixed(s.goodput, 2),
        percent(s.sloAttainment, 0),
        ...energy,
        sloText(l.slo),
      ];
    }),
  );
  return {
    header: [
      'sweep',
      'concurrency',
      'completed',
      'request throughput (req/s)',
      'output token throughput (tok/s)',
      'median TTFT (ms)',
      'p90 TTFT (ms)',
      'median TPOT (ms)',
      'p90 ITL (ms)',
      'p99 ITL (ms)',
      'median E2EL (ms)',
      'goodput (req/s)',
      'SLO attainment',
      ...(withEnergy ? ['output tok/J', 'W'] : []),
      'SLOs',
    ],
    rows,
    right: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, ...(withEnergy ? [13, 14] : [])],
  };
}

/** What the tables say about their columns (printed under them). */
export const LOAD_NOTE =
  'Names as vLLM bench serve prints them: request throughput = completed requests / wall time, output token ' +
  'throughput = output tokens of all requests / wall time, TTFT and E2EL from arrival (queueing included), TPOT ' +
  '= (last − first token) / (tokens − 1) per request, ITL = every gap between tokens, goodput = requests per ' +
  'second that met every SLO. Each level is one case, run once per round on one context with one sequence per ' +
  'request in flight. Where power was measured: output tok/J = output tokens of all requests / joules of the ' +
  "case's GPUs and CPU packages over the level's wall time, idle included; W = mean power over it.";

/** The levels as the JSON report's `load` key (figures to 9 significant digits, every request included). */
export function loadJson(levels: readonly LoadReportLevel[]): unknown {
  const round = (v: unknown): unknown =>
    typeof v === 'number'
      ? stable(v)
      : Array.isArray(v)
        ? v.map(round)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round(x)]))
          : v;
  return levels.map((l) => ({
    runId: l.runId,
    agentId: l.agentId,
    caseId: l.caseId,
    model: l.model,
    backend: l.backend,
    ...(round(l.level) as object),
  }));
}

/** Where each sweep of two or more levels saturates, one sentence per sweep (none for single levels). */
export function saturationLines(sweeps: readonly LoadSweep[]): string[] {
  return sweeps.flatMap((sweep) => {
    const s = sweepSaturation(sweep);
    return s ? [saturationSentence(s)] : [];
  });
}

/** The markdown section (empty when the runs have no load levels); `table` renders a TableSpec. */
export function loadSectionMarkdown(
  datasets: readonly RunDataset[],
  table: (t: TableSpec) => string,
): string[] {
  const sweeps = loadSweeps(loadReportLevels(datasets), datasets.length > 1);
  if (sweeps.length === 0) return [];
  const saturation = saturationLines(sweeps);
  return [
    '## Serving load (concurrency sweeps)',
    '',
    ...(saturation.length > 0 ? [...saturation.map((line) => `- ${line}`), ''] : []),
    table(loadLevelTable(sweeps)),
    '',
    saturation.length > 0 ? `${LOAD_NOTE} ${SATURATION_NOTE}` : LOAD_NOTE,
    '',
  ];
}

/** The HTML section: a saturation curve per sweep and the table (empty when the runs have no load levels). */
export function loadSectionHtml(datasets: readonly RunDataset[], table: (t: TableSpec) => string): string[] {
  const sweeps = loadSweeps(loadReportLevels(datasets), datasets.length > 1);
  if (sweeps.length === 0) return [];
  const saturation = saturationLines(sweeps);
  return [
    // The curve's styles come with the section: reports without load levels stay as they were.
    `<section id="serving-load"><style>figure.load-sweep{margin:0 0 8px}${LOAD_CURVE_CSS}</style>`,
    '<h2>Serving load (concurrency sweeps)</h2>',
    ...(saturation.length > 0
      ? [`<ul class="saturation">${saturation.map((l) => `<li>${escapeXml(l)}</li>`).join('')}</ul>`]
      : []),
    `<p class="note">${escapeXml(LOAD_CURVE_LEGEND)} Where throughput flattens while latency climbs, the box is saturated.</p>`,
    ...sweeps.map((s) => `<figure class="load-sweep">${loadCurveSvg(curvePoints(s), s.title)}</figure>`),
    table(loadLevelTable(sweeps)),
    `<p class="note">${escapeXml(saturation.length > 0 ? `${LOAD_NOTE} ${SATURATION_NOTE}` : LOAD_NOTE)}</p>`,
    '</section>',
  ];
}
