import { fixed } from './number-format.js';
import type { ReportData } from './report-data.js';
import { METRICS, sampleMetric, type MetricId } from './report-metrics.js';

/** Inline SVG charts for the HTML report: no scripts, no fonts, no external references. */

/** Colours per run (dataset index), readable on white and in grey print. */
export const RUN_COLOURS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#8c564b',
  '#e377c2',
  '#17becf',
];
/** Most groups drawn per chart; the tables list every group. */
export const MAX_CHART_GROUPS = 60;
/** Most points drawn per group in a dot plot (the first ones, in run and repetition order). */
export const MAX_DOTS_PER_GROUP = 400;

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * "Nice" axis ticks (steps of 1, 2, 2.5 or 5 × 10^k) up to `hi`: from the first step at or above `lo` (`inside`,
 * the bar charts' axis from 0), or from the last step at or below it (`cover`, so the axis spans every point).
 */
export function niceTicks(lo: number, hi: number, count = 5, start: 'inside' | 'cover' = 'inside'): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  const first = (start === 'inside' ? Math.ceil(lo / step) : Math.floor(lo / step)) * step;
  for (let v = first; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const ticks = (lo: number, hi: number, count = 5): number[] => niceTicks(lo, hi, count, 'inside');

/** A coordinate with one decimal, as SVG attributes are written. */
export const svgCoord = (v: number): string => (Math.round(v * 10) / 10).toString();
const n = svgCoord;

/** Horizontal bars of the mean per group with the confidence interval as an error bar. */
export function barChart(data: ReportData, metric: MetricId): string {
  const info = METRICS[metric];
  const groups = data.groups.filter((g) => g.metrics[metric] !== null).slice(0, MAX_CHART_GROUPS);
  if (groups.length === 0) return '';
  const k = info.displayFactor;
  const top = Math.max(
    ...groups.map((g) => Math.max(g.metrics[metric]!.ci?.hi ?? 0, g.metrics[metric]!.max) * k),
  );
  const axis = ticks(0, top);
  const xMax = Math.max(top, axis[axis.length - 1]!);
  const left = 300;
  const width = 900;
  const plot = width - left - 70;
  const row = 24;
  const height = 40 + groups.length * row;
  const x = (v: number): number => left + (v / xMax) * plot;
  const parts: string[] = [
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
      `aria-label="${escapeXml(`${info.label}: mean per group with ${Math.round(data.confidence * 100)}% CI`)}">`,
  ];
  for (const t of axis) {
    parts.push(
      `<line x1="${n(x(t))}" y1="20" x2="${n(x(t))}" y2="${height - 16}" class="grid"/>`,
      `<text x="${n(x(t))}" y="${height - 4}" class="tick" text-anchor="middle">${escapeXml(String(t))}</text>`,
    );
  }
  groups.forEach((g, i) => {
    const s = g.metrics[metric]!;
    const y = 24 + i * row;
    parts.push(
      `<text x="${left - 8}" y="${y + 12}" class="label" text-anchor="end">${escapeXml(g.label)}</text>`,
      `<rect x="${left}" y="${y + 2}" width="${n(x(s.mean * k) - left)}" height="${row - 8}" class="bar"><title>` +
        `${escapeXml(`${g.label}: mean ${fixed(s.mean * k, info.digits)} ${info.displayUnit}, n=${s.n}`)}</title></rect>`,
    );
    if (s.ci) {
      const yc = y + row / 2 - 2;
      const lo = x(Math.max(0, s.ci.lo * k));
      const hi = x(s.ci.hi * k);
      parts.push(
        `<line x1="${n(lo)}" y1="${yc}" x2="${n(hi)}" y2="${yc}" class="err"/>`,
        `<line x1="${n(lo)}" y1="${yc - 5}" x2="${n(lo)}" y2="${yc + 5}" class="err"/>`,
        `<line x1="${n(hi)}" y1="${yc - 5}" x2="${n(hi)}" y2="${yc + 5}" class="err"/>`,
      );
    }
    parts.push(
      `<text x="${n(Math.max(x(s.mean * k), s.ci ? x(s.ci.hi * k) : 0) + 6)}" y="${y + 12}" class="value">` +
        `${escapeXml(fixed(s.mean * k, info.digits))}</text>`,
    );
  });
  parts.push(
    `<text x="${left}" y="12" class="axis-title">${escapeXml(
      `${info.label} (${info.displayUnit}), mean with ` +
        `${Math.round(data.confidence * 100)}% CI; n=1 groups have no interval`,
    )}</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

/**
 * One small panel per group: every repetition in run order (x) against its value (y), coloured by run, with the
 * median dashed. Noise shows as scatter, drift (morning vs night) as a step between colours.
 */
export function dotPlots(data: ReportData, metric: MetricId): string {
  const info = METRICS[metric];
  const k = info.displayFactor;
  const points = new Map<number, { run: number; v: number }[]>();
  data.datasets.forEach((ds, di) => {
    const sg = data.sampleGroups[di]!;
    for (let i = 0; i < ds.samples.length; i++) {
      const g = sg[i]!;
      if (g >= MAX_CHART_GROUPS && !points.has(g)) continue;
      const v = sampleMetric(ds.samples[i]!.sample, metric);
      if (v !== v) continue;
      let list = points.get(g);
      if (!list) points.set(g, (list = []));
      if (list.length < MAX_DOTS_PER_GROUP) list.push({ run: di, v: v * k });
    }
  });
  const panels = data.groups
    .filter((g) => points.has(g.index))
    .slice(0, MAX_CHART_GROUPS)
    .map((g) => {
      const pts = points.get(g.index)!;
      const w = 280;
      const h = 116;
      const lo = Math.min(...pts.map((p) => p.v));
      const hi = Math.max(...pts.map((p) => p.v));
      const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.05 || 1;
      const y0 = lo - pad;
      const y1 = hi + pad;
      const px = (i: number): number => 44 + ((i + 0.5) / pts.length) * (w - 54);
      const py = (v: number): number => 14 + (1 - (v - y0) / (y1 - y0)) * (h - 30);
      const med = g.metrics[metric]?.median;
      const out = [
        `<svg class="dots" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${escapeXml(
          `${g.label}: ${info.label} per repetition`,
        )}">`,
        `<line x1="44" y1="10" x2="44" y2="${h - 14}" class="grid"/>`,
        `<text x="40" y="${n(py(hi) + 4)}" class="tick" text-anchor="end">${escapeXml(fixed(hi, info.digits))}</text>`,
        `<text x="40" y="${n(py(lo) + 4)}" class="tick" text-anchor="end">${escapeXml(fixed(lo, info.digits))}</text>`,
      ];
      if (med !== undefined) {
        out.push(
          `<line x1="44" y1="${n(py(med * k))}" x2="${w - 6}" y2="${n(py(med * k))}" class="median"/>`,
        );
      }
      pts.forEach((p, i) => {
        out.push(
          `<circle cx="${n(px(i))}" cy="${n(py(p.v))}" r="3.5" fill="${RUN_COLOURS[p.run % RUN_COLOURS.length]}">` +
            `<title>${escapeXml(`${fixed(p.v, info.digits)} ${info.displayUnit}`)}</title></circle>`,
        );
      });
      out.push(
        `<text x="${w - 6}" y="${h - 2}" class="tick" text-anchor="end">repetition →</text>`,
        '</svg>',
      );
      // The title is HTML beside the SVG, so a long label wraps instead of being cut at the panel's edge.
      return `<figure class="dot-panel"><figcaption>${escapeXml(g.label)}</figcaption>${out.join('')}</figure>`;
    });
  return panels.join('\n');
}
