import type { Answer } from '../answers/build-answers.js';
import { loadSectionHtml } from '../load-report/index.js';
import { answersHtml } from '../answers/render-answers.js';
import type { FingerprintSummary } from './fingerprint-summary.js';
import { FACET_CSS, facetedBars } from './html-charts.js';
import type { ReportData } from './report-data.js';
import { METRIC_IDS, type MetricId } from './report-metrics.js';
import {
  METHOD_NOTE,
  benchTableSpec,
  fingerprintTables,
  metricTableSpec,
  metricTitle,
  problemReasons,
  runWarnings,
  runsTable,
  seedTableSpec,
  whatChangedTable,
  type TableSpec,
} from './report-tables.js';
import type { SeedTable } from './seed-table.js';
import { RUN_COLOURS, dotPlots, escapeXml } from './svg-charts.js';

const CHART_METRICS: readonly MetricId[] = ['decodeTokensPerSecond', 'ttftSeconds', 'promptTokensPerSecond'];

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}
.warn{background:#fff4e5;border-left:4px solid #f0a020;padding:6px 10px}
.note{color:#555;font-size:12px}
.chart .grid,.dots .grid{stroke:#e4e4e4}.chart .bar{fill:#8fb8de}.chart .err{stroke:#222;stroke-width:1.5}
.chart text,.dots text{font:11px system-ui,sans-serif;fill:#333}.chart .label{font-size:12px}
.chart .axis-title{font-size:12px;fill:#555}.dots .median{stroke:#888;stroke-dasharray:4 3}
.dots .panel-title{font-size:11px;font-weight:600}.panels{display:flex;flex-wrap:wrap;gap:8px}
.dots{border:1px solid #eee}.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px;vertical-align:middle}
code{font-size:12px}
.answers{padding-left:20px;margin:6px 0}.answer{margin:3px 0}.answer.sure{font-weight:600}
.problems summary{cursor:pointer}.problems ul{margin:4px 0 8px;font-size:12px}
figure.dot-panel{margin:0}figure.dot-panel figcaption{font-size:11px;font-weight:600;max-width:280px;overflow-wrap:anywhere}
${FACET_CSS}`;

function htmlTable(t: TableSpec): string {
  const cls = (i: number): string => (t.right?.includes(i) ? ' class="r"' : '');
  const head = t.header.map((h, i) => `<th${cls(i)}>${escapeXml(h)}</th>`).join('');
  const body = t.rows
    .map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${escapeXml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** One self-contained HTML file: inline CSS and SVG, no scripts, no external references. */
export function renderHtml(
  data: ReportData,
  answers: readonly Answer[],
  seed: SeedTable,
  fingerprints: FingerprintSummary,
  title: string,
): string {
  const out: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head><body>',
    `<h1>${escapeXml(title)}</h1>`,
  ];
  for (const w of runWarnings(data)) out.push(`<p class="warn">${escapeXml(w)}</p>`);
  out.push('<section id="answers"><h2>The answer</h2>', answersHtml(answers), '</section>');
  out.push('<h2>Runs</h2>', htmlTable(runsTable(data)));
  const changed = whatChangedTable(fingerprints);
  if (changed) out.push('<h3>What changed for the same configuration</h3>', htmlTable(changed));
  const problems = problemReasons(data);
  if (problems.length > 0) {
    out.push('<h3>Cases that did not run</h3>');
    for (const r of problems)
      out.push(
        `<details class="problems"><summary>${r.count} ${escapeXml(r.outcome)}: ${escapeXml(r.reason)}</summary>` +
          `<ul>${r.cases.map((c) => `<li><code>${escapeXml(c)}</code></li>`).join('')}</ul></details>`,
      );
  }

  const legend = data.datasets
    .map(
      (ds, i) =>
        `<span><i style="background:${RUN_COLOURS[i % RUN_COLOURS.length]}"></i>${escapeXml(ds.run.label ?? ds.run.runId)}</span>`,
    )
    .join('');
  out.push('<h2>Charts</h2>');
  for (const m of CHART_METRICS) {
    const bars = facetedBars(data, m);
    if (!bars) continue;
    out.push(`<h3>${escapeXml(metricTitle(m))}</h3>`, bars);
    out.push(
      `<p class="legend">Every repetition, in run order: ${legend}</p>`,
      `<div class="panels">${dotPlots(data, m)}</div>`,
    );
  }

  out.push(...loadSectionHtml(data.datasets, htmlTable));

  out.push('<h2>Rounds (decode tok/s, seconds to first token)</h2>');
  if (seed.prompts.length === 0) out.push('<p>No chat prompts in these runs.</p>');
  else if (seed.omittedRows > 0)
    out.push(
      `<p>${seed.omittedRows} rounds: too many for this table; the csv and json formats have every sample.</p>`,
    );
  else out.push(htmlTable(seedTableSpec(seed)));
  out.push('<h2>llama-bench style summary (mean ± sd)</h2>', htmlTable(benchTableSpec(data)));

  out.push('<h2>Per-group statistics</h2>');
  for (const m of METRIC_IDS) {
    const t = metricTableSpec(data, m);
    if (t) out.push(`<h3>${escapeXml(metricTitle(m))}</h3>`, htmlTable(t));
  }
  out.push(`<p class="note">${escapeXml(METHOD_NOTE)}</p>`);

  out.push('<h2>Fingerprints</h2>');
  if (fingerprints.cases === 0) out.push('<p>No case recorded a fingerprint.</p>');
  else {
    const fp = fingerprintTables(fingerprints);
    out.push(`<p>${fingerprints.cases} case fingerprints.</p>`);
    if (fp.varied) out.push('<h3>Varied</h3>', htmlTable(fp.varied));
    out.push('<h3>Same for every case</h3>', htmlTable(fp.same));
  }
  out.push('</body></html>', '');
  return out.join('\n');
}
