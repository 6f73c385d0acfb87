import { fixed } from '../report/number-format.js';
import { escapeXml, niceTicks, svgCoord } from '../report/svg-charts.js';
import { describeDifference } from './trend-text.js';
import type { TrendGroup, TrendResult } from './trend-types.js';

/** Most runs drawn per chart (the newest); the tables list every run. */
export const MAX_CHART_RUNS = 200;

const r1 = svgCoord;

/** "Nice" ticks covering lo..hi. */
const ticks = (lo: number, hi: number, count = 5): number[] => niceTicks(lo, hi, count, 'cover');

/**
 * One group's figure per run as an inline SVG: a point per run with its CI whisker, the fitted levels as
 * horizontal lines, change points as solid red verticals with the step, fingerprint changes as dashed grey
 * verticals naming the fields. Runs are evenly spaced in time order (labels give the dates).
 */
export function trendChart(t: TrendResult, g: TrendGroup): string {
  const points = g.points.slice(-MAX_CHART_RUNS);
  const offset = g.points.length - points.length;
  const k = t.displayFactor;
  const values = points.flatMap((p) =>
    p.level === null ? [] : [p.level * k, (p.ci?.lo ?? p.level) * k, (p.ci?.hi ?? p.level) * k],
  );
  if (values.length === 0) return '';
  const axis = ticks(Math.min(...values), Math.max(...values));
  const yLo = Math.min(axis[0]!, ...values);
  const yHi = Math.max(axis.at(-1)!, ...values);
  const width = 900;
  const height = 300;
  const left = 70;
  const right = 90;
  const top = 40;
  const bottom = 70;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (i: number): number =>
    left + (points.length === 1 ? plotW / 2 : (i / (points.length - 1)) * plotW);
  const y = (v: number): number => top + plotH - ((v - yLo) / (yHi - yLo || 1)) * plotH;
  const out: string[] = [
    `<svg class="trend" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(`${t.metricLabel} per run: ${g.label}`)}">`,
    `<text class="panel-title" x="${left}" y="16">${escapeXml(g.label)}</text>`,
  ];
  for (const v of axis) {
    out.push(
      `<line class="grid" x1="${left}" x2="${width - right}" y1="${r1(y(v))}" y2="${r1(y(v))}"/>`,
      `<text x="${left - 6}" y="${r1(y(v) + 4)}" text-anchor="end">${fixed(v, t.digits)}</text>`,
    );
  }
  out.push(
    `<text class="axis-title" x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">${escapeXml(`${t.metricLabel} (${t.unit})`)}</text>`,
  );
  const index = new Map(points.map((p, i) => [p.runId, i]));
  for (const p of points) {
    if (p.fingerprintChanges.length === 0) continue;
    const i = index.get(p.runId)!;
    const xm = r1(x(i) - (points.length > 1 ? plotW / (points.length - 1) / 2 : 0));
    const fields = p.fingerprintChanges.map((d) => d.field).join(', ');
    out.push(
      `<line class="fp-change" x1="${xm}" x2="${xm}" y1="${top}" y2="${top + plotH}"><title>${escapeXml(p.fingerprintChanges.map(describeDifference).join('\n'))}</title></line>`,
      `<text class="fp-label" x="${xm}" y="${top - 4}" text-anchor="middle">${escapeXml(fields.length > 60 ? `${fields.slice(0, 57)}…` : fields)}</text>`,
    );
  }
  for (const s of g.segments) {
    const a = index.get(s.fromRunId) ?? 0;
    const b = index.get(s.toRunId) ?? points.length - 1;
    const yl = r1(y(s.level * k));
    out.push(`<line class="level" x1="${r1(x(a) - 6)}" x2="${r1(x(b) + 6)}" y1="${yl}" y2="${yl}"/>`);
  }
  for (const s of g.steps) {
    const i = index.get(s.runId);
    if (i === undefined) continue;
    const xm = r1(x(i) - (points.length > 1 ? plotW / (points.length - 1) / 2 : 0));
    const pct = `${s.ratio >= 1 ? '+' : '−'}${fixed(Math.abs(s.ratio - 1) * 100, 1)}%`;
    out.push(
      `<line class="step" x1="${xm}" x2="${xm}" y1="${top}" y2="${top + plotH}"><title>${escapeXml(s.text)}</title></line>`,
      `<text class="step-label" x="${r1(Number(xm) + 4)}" y="${top + 14}">${escapeXml(pct)}</text>`,
    );
  }
  points.forEach((p, i) => {
    if (p.level !== null) {
      if (p.ci)
        out.push(
          `<line class="err" x1="${r1(x(i))}" x2="${r1(x(i))}" y1="${r1(y(p.ci.lo * k))}" y2="${r1(y(p.ci.hi * k))}"/>`,
        );
      out.push(
        `<circle class="pt" cx="${r1(x(i))}" cy="${r1(y(p.level * k))}" r="4"><title>${escapeXml(`${p.runId}${p.label ? ` (${p.label})` : ''} ${p.startedAt}: ${fixed(p.level * k, t.digits)} ${t.unit}, n=${p.n}`)}</title></circle>`,
      );
    }
    const tick = `${p.label ?? p.runId.slice(0, 10)} ${p.startedAt.slice(5, 16).replace('T', ' ')}`;
    const xt = r1(x(i));
    out.push(
      `<text class="run" x="${xt}" y="${top + plotH + 14}" transform="rotate(30 ${xt} ${top + plotH + 14})">${escapeXml(tick)}</text>`,
    );
  });
  if (offset > 0)
    out.push(`<text class="note" x="${left}" y="${height - 4}">${offset} older runs not drawn</text>`);
  out.push('</svg>');
  return out.join('\n');
}
