import { fixed, percent, stable } from '../report/number-format.js';
import { describeDifference, runName, trendMethodNote } from './trend-text.js';
import { renderTrendHtml } from './render-trend-html.js';
import type { TrendGroup, TrendResult } from './trend-types.js';

/** Output formats of `rigbench trend`. */
export const TREND_FORMATS = ['md', 'json', 'html'] as const;
export type TrendFormat = (typeof TREND_FORMATS)[number];

/** Asked for a format `rigbench trend` does not write. */
export class UnknownTrendFormatError extends Error {
  override name = 'UnknownTrendFormatError';
  constructor(format: string, options?: ErrorOptions) {
    super(`unknown trend format '${format}': use one of ${TREND_FORMATS.join(', ')}`, options);
  }
}

/**
 * With fewer runs than the run-to-run noise needs, a step rests on the repetitions alone and can be a session
 * effect (the same caution as the answers' one-round lines): said next to every such step.
 */
function withinOnlyCaveat(g: TrendGroup): string {
  return g.betweenEstimated
    ? ''
    : "; from repetitions only: too few runs to estimate the run-to-run noise, so a session effect can't be told apart";
}

function groupMarkdown(t: TrendResult, g: TrendGroup): string[] {
  const level = (v: number | null): string => fixed(v === null ? null : v * t.displayFactor, t.digits);
  const out = [`## ${g.label}`, ''];
  const noise =
    `noise: ${percent(g.withinSd)} per repetition, ` +
    (g.betweenEstimated ? `${percent(g.betweenSd)} run to run` : 'run to run not estimated (within only)');
  if (g.steps.length === 0) out.push(`No change point (${noise}).`, '');
  else {
    out.push(`${g.steps.length} change point${g.steps.length === 1 ? '' : 's'} (${noise}):`, '');
    for (const s of g.steps) out.push(`- **${s.text}**${withinOnlyCaveat(g)}`);
    out.push('');
  }
  out.push(
    `| run | started | n | ${t.metricLabel} (${t.unit}) | 95% CI | marks |`,
    '|---|---|---|---|---|---|',
  );
  const stepRuns = new Set(g.steps.map((s) => s.runId));
  for (const p of g.points) {
    const marks: string[] = [];
    if (stepRuns.has(p.runId)) marks.push('**change point**');
    if (p.fingerprintChanges.length > 0)
      marks.push(`fingerprint: ${p.fingerprintChanges.map(describeDifference).join(', ')}`);
    const ci = p.ci ? `${level(p.ci.lo)}..${level(p.ci.hi)}` : '—';
    out.push(
      `| ${runName(p)} | ${p.startedAt} | ${p.n} | ${level(p.level)} | ${ci} | ${marks.join('; ') || ''} |`,
    );
  }
  out.push('');
  return out;
}

/** Markdown: the change points first, then each group's runs with their marks (`brief`: the change points only). */
export function renderTrendMarkdown(t: TrendResult, brief = false): string {
  const steps = t.groups.flatMap((g) => g.steps.map((s) => ({ g, s })));
  const out = [
    `# Trend of ${t.metricLabel} over ${t.runs.length} run${t.runs.length === 1 ? '' : 's'}`,
    '',
    t.runs.length > 0 ? `From ${t.runs[0]!.startedAt} to ${t.runs.at(-1)!.startedAt}.` : 'No runs.',
    '',
  ];
  if (steps.length === 0) out.push('No change point in any group.', '');
  else {
    out.push(`Change points (${steps.length}):`, '');
    for (const { g, s } of steps) out.push(`- ${g.label}: ${s.text}${withinOnlyCaveat(g)}`);
    out.push('');
  }
  for (const note of t.notes) out.push(`Note: ${note}.`, '');
  if (brief) {
    const unmatched = t.groups.flatMap((g) =>
      g.points
        .filter((p) => p.fingerprintChanges.length > 0 && !g.steps.some((s) => s.runId === p.runId))
        .map(
          (p) => `- ${g.label} at ${runName(p)}: ${p.fingerprintChanges.map(describeDifference).join(', ')}`,
        ),
    );
    if (unmatched.length > 0) out.push('Fingerprint changes without a change point:', '', ...unmatched, '');
    return out.join('\n');
  }
  for (const g of t.groups) out.push(...groupMarkdown(t, g));
  for (const s of t.skipped) out.push(`Skipped ${s.runId}: ${s.reason}`);
  if (t.skipped.length > 0) out.push('');
  out.push(`_${trendMethodNote(t)}_`, '');
  return out.join('\n');
}

/** JSON: the whole result, numbers rounded to nine significant digits so output is stable. */
export function renderTrendJson(t: TrendResult): string {
  const round = (_key: string, value: unknown): unknown =>
    typeof value === 'number' && !Number.isInteger(value) ? stable(value) : value;
  return `${JSON.stringify({ schema: 'rigbench.trend/v1', ...t }, round, 2)}\n`;
}

/** Renders a trend in `format`. */
export function renderTrend(t: TrendResult, format: TrendFormat, brief = false): string {
  switch (format) {
    case 'md':
      return renderTrendMarkdown(t, brief);
    case 'json':
      return renderTrendJson(t);
    case 'html':
      return renderTrendHtml(t);
    default:
      throw new UnknownTrendFormatError(String(format));
  }
}
