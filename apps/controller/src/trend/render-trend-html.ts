import { fixed, percent } from '../report/number-format.js';
import { escapeXml } from '../report/svg-charts.js';
import { trendChart } from './trend-chart.js';
import { describeDifference, runName, trendMethodNote } from './trend-text.js';
import type { TrendGroup, TrendResult } from './trend-types.js';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.r{text-align:right;font-variant-numeric:tabular-nums}
.step-line{background:#fdecea;border-left:4px solid #c62828;padding:4px 10px;margin:4px 0}
.note{color:#555;font-size:12px}
.trend{border:1px solid #eee}.trend text{font:11px system-ui,sans-serif;fill:#333}
.trend .grid{stroke:#e4e4e4}.trend .pt{fill:#1f77b4}.trend .err{stroke:#1f77b4;stroke-width:1.5}
.trend .level{stroke:#2ca02c;stroke-width:2}.trend .step{stroke:#c62828;stroke-width:2}
.trend .step-label{fill:#c62828;font-weight:600}.trend .fp-change{stroke:#777;stroke-dasharray:5 4}
.trend .fp-label{fill:#555;font-size:10px}.trend .panel-title{font-weight:600;font-size:12px}
.trend .axis-title{fill:#555;font-size:12px}
`;

function groupSection(t: TrendResult, g: TrendGroup): string {
  const level = (v: number | null): string => fixed(v === null ? null : v * t.displayFactor, t.digits);
  const steps =
    g.steps.length === 0
      ? `<p>No change point. Noise ${percent(g.withinSd)} per repetition${g.betweenEstimated ? `, ${percent(g.betweenSd)} run to run` : ', run to run not estimated (within only)'}.</p>`
      : g.steps.map((s) => `<div class="step-line">${escapeXml(s.text)}</div>`).join('\n');
  const stepRuns = new Set(g.steps.map((s) => s.runId));
  const rows = g.points
    .map((p) => {
      const marks = [
        ...(stepRuns.has(p.runId) ? ['change point'] : []),
        ...p.fingerprintChanges.map(describeDifference),
      ];
      const ci = p.ci ? `${level(p.ci.lo)}..${level(p.ci.hi)}` : '—';
      return `<tr><td>${escapeXml(runName(p))}</td><td>${escapeXml(p.startedAt)}</td><td class="r">${p.n}</td><td class="r">${level(p.level)}</td><td class="r">${ci}</td><td>${escapeXml(marks.join('; '))}</td></tr>`;
    })
    .join('\n');
  return [
    `<h2>${escapeXml(g.label)}</h2>`,
    steps,
    trendChart(t, g),
    `<table><thead><tr><th>run</th><th>started</th><th>n</th><th>${escapeXml(`${t.metricLabel} (${t.unit})`)}</th><th>${Math.round(t.confidence * 100)}% CI</th><th>marks</th></tr></thead><tbody>`,
    rows,
    '</tbody></table>',
  ].join('\n');
}

/** One self-contained HTML file: inline CSS and SVG, no scripts, no external references. */
export function renderTrendHtml(t: TrendResult): string {
  const title = `Trend of ${t.metricLabel} over ${t.runs.length} runs`;
  const stepCount = t.groups.reduce((n, g) => n + g.steps.length, 0);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head><body>',
    `<h1>${escapeXml(title)}</h1>`,
    `<p>${stepCount} change point${stepCount === 1 ? '' : 's'} in ${t.groups.length} group${t.groups.length === 1 ? '' : 's'}. Red lines: change points with the step; dashed grey lines: runs whose fingerprint changed, naming the fields; green: fitted levels; whiskers: ${Math.round(t.confidence * 100)}% CI of each run's geometric mean.</p>`,
    ...t.notes.map((n) => `<p class="step-line">Note: ${escapeXml(n)}.</p>`),
    ...t.groups.map((g) => groupSection(t, g)),
    ...t.skipped.map((s) => `<p class="note">Skipped ${escapeXml(s.runId)}: ${escapeXml(s.reason)}</p>`),
    `<p class="note">${escapeXml(trendMethodNote(t))}</p>`,
    '</body></html>',
    '',
  ].join('\n');
}
