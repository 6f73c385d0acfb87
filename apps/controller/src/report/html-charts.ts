import { geometricMeanInterval } from '@rigbench/shared';
import { descriptorLabel } from './group-descriptor.js';
import { fixed } from './number-format.js';
import type { GroupStats, ReportData } from './report-data.js';
import { METRICS, type MetricId } from './report-metrics.js';
import { escapeXml } from './svg-charts.js';

/**
 * Bar charts as HTML (CSS grid), faceted by model × workload: one small panel per facet, one bar per
 * configuration inside it, labelled in full (agent, backend, devices, and what else varies). The label column is
 * as wide as its longest label, so no label is ever cut off (the Chromium test checks scrollWidth ≤ clientWidth).
 * Rates show the geometric mean with its log-scale interval (never below 0), latencies the mean and its t interval.
 */

/** Most facets drawn per metric; the tables list every group. */
export const MAX_FACETS = 48;

interface Bar {
  label: string;
  value: number;
  lo: number | null;
  hi: number | null;
  n: number;
}

function barOf(g: GroupStats, metric: MetricId, label: string): Bar | null {
  const s = g.metrics[metric];
  if (!s) return null;
  const k = METRICS[metric].displayFactor;
  if (METRICS[metric].unit === 'tok/s') {
    const values = g.values[metric];
    if (values.length >= 2 && values.every((v) => v > 0)) {
      const ci = geometricMeanInterval(values, s.confidence);
      return { label, value: ci.mean * k, lo: ci.lo * k, hi: ci.hi * k, n: s.n };
    }
    return { label, value: s.mean * k, lo: null, hi: null, n: s.n };
  }
  return {
    label,
    value: s.mean * k,
    lo: s.ci ? Math.max(0, s.ci.lo) * k : null,
    hi: s.ci ? s.ci.hi * k : null,
    n: s.n,
  };
}

/** The facets of one metric: `model · test` → bars. */
function facets(data: ReportData, metric: MetricId): Map<string, Bar[]> {
  const out = new Map<string, Bar[]>();
  for (const g of data.groups) {
    const d = g.descriptor;
    const facet = `${d.model} · ${d.test}`;
    const label = descriptorLabel(d, [
      'model',
      'test',
      ...(data.varying.includes('threads') ? [] : ['threads' as const]),
    ]);
    const bar = barOf(g, metric, label);
    if (!bar) continue;
    let list = out.get(facet);
    if (!list) {
      if (out.size >= MAX_FACETS) continue;
      out.set(facet, (list = []));
    }
    list.push(bar);
  }
  return out;
}

/** One metric as faceted HTML bars; '' when no group has the metric. */
export function facetedBars(data: ReportData, metric: MetricId): string {
  const info = METRICS[metric];
  const all = facets(data, metric);
  if (all.size === 0) return '';
  const rate = info.unit === 'tok/s';
  const what = rate ? 'geometric mean, log-scale' : 'mean, t';
  const panels: string[] = [];
  for (const [facet, bars] of all) {
    const top = Math.max(...bars.map((b) => Math.max(b.hi ?? 0, b.value))) || 1;
    const pct = (v: number): string => `${((v / top) * 100).toFixed(1)}%`;
    const rows = bars.map((b) => {
      const err =
        b.lo !== null && b.hi !== null
          ? `<span class="err" style="left:${pct(b.lo)};width:${pct(b.hi - b.lo)}"></span>`
          : '';
      const tip =
        `${b.label}: ${fixed(b.value, info.digits)} ${info.displayUnit}, n=${b.n}` +
        (b.lo !== null
          ? `, ${Math.round(data.confidence * 100)}% CI ${fixed(b.lo, info.digits)}–${fixed(b.hi, info.digits)}`
          : '');
      return (
        `<span class="bar-label">${escapeXml(b.label)}</span>` +
        `<span class="bar-track" title="${escapeXml(tip)}"><span class="bar" style="width:${pct(b.value)}"></span>${err}</span>` +
        `<span class="bar-value">${escapeXml(fixed(b.value, info.digits))}</span>`
      );
    });
    panels.push(
      `<section class="facet"><h4 class="facet-title">${escapeXml(facet)}</h4>` +
        `<div class="bars">${rows.join('')}</div></section>`,
    );
  }
  return (
    `<p class="note">${escapeXml(`${info.label} (${info.displayUnit}): ${what} ${Math.round(data.confidence * 100)}% interval per configuration; n=1 has none.`)}</p>` +
    `<div class="facets">${panels.join('\n')}</div>`
  );
}

/** CSS for the faceted bars. */
export const FACET_CSS = `
.facets{display:flex;flex-wrap:wrap;gap:12px}.facet{border:1px solid #e4e4e4;padding:6px 10px;min-width:360px;flex:1 1 360px}
.facet-title{margin:0 0 6px;font-size:13px}
.bars{display:grid;grid-template-columns:max-content minmax(120px,1fr) max-content;gap:3px 8px;align-items:center}
.bar-label{white-space:nowrap;font-size:12px}.bar-value{font-size:12px;font-variant-numeric:tabular-nums}
.bar-track{position:relative;height:14px;background:#f6f6f6}.bar-track .bar{position:absolute;left:0;top:2px;bottom:2px;background:#8fb8de}
.bar-track .err{position:absolute;top:6px;height:2px;background:#222}
`;
