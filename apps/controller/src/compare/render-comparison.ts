import { METRICS } from '../report/report-metrics.js';
import { fixed, stable } from '../report/number-format.js';
import type { ComparisonResult, MetricComparison, SideFigures } from './compare-types.js';

export const COMPARISON_FORMATS = ['md', 'json'] as const;
export type ComparisonFormat = (typeof COMPARISON_FORMATS)[number];

function figures(m: MetricComparison, s: SideFigures): string {
  const info = METRICS[m.metric];
  return `${fixed(s.geometricMean * info.displayFactor, info.digits)} ${info.displayUnit} (n=${s.n})`;
}

function line(m: MetricComparison, aName: string, bName: string): string {
  const info = METRICS[m.metric];
  const verdict = m.verdict === 'faster' || m.verdict === 'slower' ? `**${m.text}**` : m.text;
  return `${info.label}: ${verdict} — ${bName} ${figures(m, m.b)} vs ${aName} ${figures(m, m.a)}`;
}

/** Most units listed in the summary; the sections below have every one. */
const SUMMARY_UNITS = 20;

/**
 * The summary on top: per matched unit, decode t/s and TTFT over all its tests (or its one test), B against A,
 * in the verdict's own words; the sections below have every metric and test.
 */
function summaryLines(r: ComparisonResult): string[] {
  const lines: string[] = [];
  let oneRound = false;
  const CAVEAT = '; from repetitions only';
  const verdictOf = (text: string): string => {
    const at = text.indexOf(CAVEAT);
    if (at < 0) return text;
    oneRound = true;
    return text.slice(0, at);
  };
  for (const u of r.units.slice(0, SUMMARY_UNITS)) {
    const several = u.strata.length > 1;
    const metrics = (several ? u.overall : (u.strata[0]?.metrics ?? [])).filter(
      (m) =>
        m.metric === 'decodeTokensPerSecond' ||
        m.metric === 'ttftSeconds' ||
        m.metric === 'decodeTokensPerJoule',
    );
    if (metrics.length === 0) continue;
    const scope = several ? `all ${u.strata.length} tests` : (u.strata[0]?.test ?? '');
    const verdicts = metrics.map((m) => `${METRICS[m.metric].label}: ${verdictOf(m.text)}`).join('; ');
    lines.push(`- ${u.label} (${scope}), ${u.bName} vs ${u.aName}: ${verdicts}`);
  }
  if (lines.length === 0) return [];
  if (r.units.length > SUMMARY_UNITS) lines.push(`- … ${r.units.length - SUMMARY_UNITS} more below`);
  const note = oneRound
    ? [
        'From repetitions only where a side has one round: a session effect cannot be told apart from a real ' +
          "difference (run more rounds: the plan's `rounds:`, or more runs).",
        '',
      ]
    : [];
  return ['## Summary', '', ...lines, '', ...note];
}

/** Comparison as markdown (terminal-friendly). */
export function renderComparisonMarkdown(r: ComparisonResult): string {
  const pctLevel = Math.round(r.confidence * 100);
  const out: string[] = [`# Comparison: ${r.title}`, ''];
  out.push(
    `Ratios of geometric means, t-test on log values (${pctLevel}% CI, significant at p<${r.alpha}); ` +
      '"faster" is direction aware (lower TTFT and inter-token latency are faster). Figures are geometric means. ' +
      'p-values are per comparison, not adjusted for the number of tests here; --fail-on-regression uses ' +
      'Holm-adjusted p-values.',
    '',
  );
  if (r.units.some((u) => u.overall.some((m) => m.metric === 'decodeTokensPerJoule')))
    out.push(
      'decode tok/J (energy efficiency: decode tokens per joule of the GPU and CPU packages read, idle included) ' +
        'is tested like the rates, worded "more/less efficient per token"; --fail-on-regression gates on speed only.',
      '',
    );
  out.push(...summaryLines(r));
  if (r.fingerprintDifferences.length > 0) {
    out.push('## What differs between A and B', '');
    for (const d of r.fingerprintDifferences) out.push(`- ${d.field}: ${d.a.join(', ')} → ${d.b.join(', ')}`);
    out.push('');
  } else if (r.units.length > 0) out.push('Fingerprints of A and B are identical.', '');
  if (r.units.length === 0) out.push('No matching groups to compare.', '');
  for (const u of r.units) {
    out.push(`## ${u.label}: ${u.bName} vs ${u.aName}`, '');
    if (u.heldFixed.length > 0) out.push(`Held fixed: ${u.heldFixed.join('; ')}.`, '');
    if (u.strata.length > 1) {
      out.push(`All ${u.strata.length} tests (${u.strata.map((s) => s.test).join(', ')}):`, '');
      for (const m of u.overall) out.push(`- ${line(m, u.aName, u.bName)}`);
      out.push('');
    }
    for (const s of u.strata) {
      out.push(`${s.test}:`, '');
      for (const m of s.metrics) out.push(`- ${line(m, u.aName, u.bName)}`);
      out.push('');
    }
    if (u.fingerprintDifferences.length > 0) {
      out.push('Fingerprint differences:', '');
      for (const d of u.fingerprintDifferences)
        out.push(`- ${d.field}: ${d.a.join(', ')} → ${d.b.join(', ')}`);
      out.push('');
    }
  }
  if (r.variation.length > 0) {
    out.push(
      `## High variation (CV above ${fixed(r.cvThreshold * 100, 0)}%)`,
      '',
      `More repetitions cannot shrink a session effect: the advice is in rounds (runs, or the plan's \`rounds:\`), ` +
        `from the spread between rounds, to show a ${fixed(r.targetMargin * 100, 0)}% difference (80% power, p<0.05):`,
      '',
    );
    for (const v of r.variation) {
      out.push(
        `- ${v.side} (${v.sideName}) ${v.group} ${METRICS[v.metric].label}: CV ${fixed(v.cv * 100, 1)}% over n=${v.n}` +
          (v.roundsNeeded === null
            ? ` in ${v.rounds} round → the spread between sessions is unknown: run at least 2 rounds`
            : ` in ${v.rounds} rounds (between-round sd ${fixed(v.betweenRoundSd! * 100, 1)}% of log) → about ` +
              `${v.roundsNeeded} rounds a side`),
      );
    }
    out.push('');
  }
  if (r.unmatched.length > 0) {
    out.push('## Not compared (present on one side only)', '');
    for (const u of r.unmatched) out.push(`- ${u.side}: ${u.group}`);
    out.push('');
  }
  return out.join('\n');
}

/** Comparison as JSON (numbers to 9 significant digits). */
export function renderComparisonJson(r: ComparisonResult): string {
  return `${JSON.stringify(r, (_key, value: unknown) => (typeof value === 'number' ? stable(value) : value), 2)}\n`;
}

/** Raised for a comparison format that does not exist. */
export class UnknownComparisonFormatError extends Error {
  override name = 'UnknownComparisonFormatError';
  constructor(format: string, options?: ErrorOptions) {
    super(`unknown comparison format '${format}': use one of ${COMPARISON_FORMATS.join(', ')}`, options);
  }
}

/** Renders a comparison as `md` or `json`. */
export function renderComparison(r: ComparisonResult, format: ComparisonFormat): string {
  if (format === 'md') return renderComparisonMarkdown(r);
  if (format === 'json') return renderComparisonJson(r);
  throw new UnknownComparisonFormatError(String(format));
}
