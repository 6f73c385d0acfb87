import { fixed } from '../report/number-format.js';
import { escapeXml, svgCoord } from '../report/svg-charts.js';

/** One concurrency level of a serving-load sweep, as the agent's load runner summarizes it. */
export interface LoadCurvePoint {
  concurrency: number;
  /** Output tokens per second, all requests together. */
  outputThroughput: number;
  /** p90 time to first token, in milliseconds. */
  p90TtftMs: number | null;
  /** p90 inter-token latency, in milliseconds. */
  p90ItlMs: number | null;
  /** Requests per second meeting the SLOs; null without SLOs. */
  goodput: number | null;
}

const r1 = svgCoord;

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= v) ?? 10 * mag) as number;
}

/**
 * The saturation curve of a sweep as an inline SVG: output throughput (left axis, bars' line) and p90 TTFT and
 * p90 ITL (right axis, ms) against concurrency. Where throughput flattens while latency climbs, the box is
 * saturated. No scripts, no external references.
 */
export function loadCurveSvg(points: readonly LoadCurvePoint[], title: string): string {
  if (points.length === 0) return '';
  const width = 720;
  const height = 320;
  const left = 70;
  const right = 70;
  const top = 40;
  const bottom = 50;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const tMax = niceMax(Math.max(...points.map((p) => p.outputThroughput)));
  const latencies = points.flatMap((p) => [p.p90TtftMs, p.p90ItlMs]).filter((v): v is number => v !== null);
  const lMax = niceMax(Math.max(1, ...latencies));
  const x = (i: number): number =>
    left + (points.length === 1 ? plotW / 2 : (i / (points.length - 1)) * plotW);
  const yT = (v: number): number => top + plotH - (v / tMax) * plotH;
  const yL = (v: number): number => top + plotH - (v / lMax) * plotH;
  const path = (ys: (number | null)[]): string =>
    ys
      .map((y, i) => (y === null ? null : `${x(i).toFixed(1)},${y.toFixed(1)}`))
      .filter((p) => p !== null)
      .join(' ');
  const out = [
    `<svg class="load-curve" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<text class="panel-title" x="${left}" y="18">${escapeXml(title)}</text>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const y = top + plotH - (k / 4) * plotH;
    out.push(
      `<line class="grid" x1="${left}" x2="${width - right}" y1="${r1(y)}" y2="${r1(y)}"/>`,
      `<text x="${left - 6}" y="${r1(y + 4)}" text-anchor="end">${fixed((tMax * k) / 4, 0)}</text>`,
      `<text x="${width - right + 6}" y="${r1(y + 4)}">${fixed((lMax * k) / 4, 0)}</text>`,
    );
  }
  out.push(
    `<text class="axis-title" x="${left}" y="${top - 8}">output tok/s</text>`,
    `<text class="axis-title" x="${width - right}" y="${top - 8}" text-anchor="end">p90 latency, ms</text>`,
    `<polyline class="throughput" fill="none" points="${path(points.map((p) => yT(p.outputThroughput)))}"/>`,
    `<polyline class="ttft" fill="none" points="${path(points.map((p) => (p.p90TtftMs === null ? null : yL(p.p90TtftMs))))}"/>`,
    `<polyline class="itl" fill="none" points="${path(points.map((p) => (p.p90ItlMs === null ? null : yL(p.p90ItlMs))))}"/>`,
  );
  points.forEach((p, i) => {
    out.push(
      `<circle class="throughput" cx="${r1(x(i))}" cy="${r1(yT(p.outputThroughput))}" r="4"><title>${escapeXml(`concurrency ${p.concurrency}: ${fixed(p.outputThroughput, 1)} tok/s${p.goodput === null ? '' : `, goodput ${fixed(p.goodput, 2)} req/s`}`)}</title></circle>`,
      `<text x="${r1(x(i))}" y="${top + plotH + 16}" text-anchor="middle">${p.concurrency}</text>`,
    );
  });
  out.push(
    `<text class="axis-title" x="${left + plotW / 2}" y="${height - 12}" text-anchor="middle">concurrency (requests in flight)</text>`,
    '</svg>',
  );
  return out.join('\n');
}

/** Styles of {@link loadCurveSvg}'s classes (the report's page and the stand-alone page both include them). */
export const LOAD_CURVE_CSS =
  '.load-curve text{font:11px system-ui,sans-serif;fill:#333}.load-curve .grid{stroke:#e4e4e4}' +
  '.load-curve .throughput{stroke:#1f77b4;fill:#1f77b4;stroke-width:2}.load-curve polyline.throughput{fill:none}' +
  '.load-curve .ttft{stroke:#d62728;stroke-width:2}.load-curve .itl{stroke:#ff7f0e;stroke-width:2;stroke-dasharray:5 3}';

/** How to read the curve's lines. */
export const LOAD_CURVE_LEGEND =
  'Blue: output tok/s (left axis); red: p90 TTFT; orange dashed: p90 ITL (right axis, ms).';

/** A self-contained HTML page with the curve and a table of every level. */
export function loadCurveHtml(points: readonly LoadCurvePoint[], title: string, note: string): string {
  const rows = points
    .map(
      (p) =>
        `<tr><td>${p.concurrency}</td><td>${fixed(p.outputThroughput, 1)}</td><td>${fixed(p.p90TtftMs, 1)}</td><td>${fixed(p.p90ItlMs, 2)}</td><td>${fixed(p.goodput, 2)}</td></tr>`,
    )
    .join('\n');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeXml(title)}</title>`,
    `<style>body{font:14px system-ui,sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px}${LOAD_CURVE_CSS}</style>`,
    '</head><body>',
    `<h1>${escapeXml(title)}</h1>`,
    `<p>${escapeXml(note)} ${LOAD_CURVE_LEGEND}</p>`,
    loadCurveSvg(points, title),
    '<table><thead><tr><th>concurrency</th><th>output_throughput (tok/s)</th><th>p90_ttft_ms</th><th>p90_itl_ms</th><th>goodput (req/s)</th></tr></thead><tbody>',
    rows,
    '</tbody></table>',
    '</body></html>',
    '',
  ].join('\n');
}
