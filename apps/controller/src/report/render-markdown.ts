import type { Answer } from '../answers/build-answers.js';
import { loadSectionMarkdown } from '../load-report/index.js';
import { answersMarkdown } from '../answers/render-answers.js';
import type { FingerprintSummary } from './fingerprint-summary.js';
import type { ReportData } from './report-data.js';
import { METRIC_IDS } from './report-metrics.js';
import {
  METHOD_NOTE,
  benchTableSpec,
  fingerprintTables,
  metricTableSpec,
  metricTitle,
  problemReasonsTable,
  runWarnings,
  runsTable,
  seedTableSpec,
  whatChangedTable,
  type TableSpec,
} from './report-tables.js';
import type { SeedTable } from './seed-table.js';

/** Markdown table (cells escaped for `|`). */
export function markdownTable(t: TableSpec): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const sep = t.header.map((_, i) => (t.right?.includes(i) ? '---:' : '---'));
  return [t.header.map(esc), sep, ...t.rows.map((r) => r.map(esc))]
    .map((r) => `| ${r.join(' | ')} |`)
    .join('\n');
}

/** The whole markdown report (also fine in a terminal). */
export function renderMarkdown(
  data: ReportData,
  answers: readonly Answer[],
  seed: SeedTable,
  fingerprints: FingerprintSummary,
  title: string,
): string {
  const out: string[] = [`# ${title}`, ''];
  for (const w of runWarnings(data)) out.push(`> **Warning:** ${w}`, '');
  out.push('## The answer', '', ...answersMarkdown(answers));
  out.push('## Runs', '', markdownTable(runsTable(data)), '');
  const changed = whatChangedTable(fingerprints);
  if (changed) out.push('### What changed for the same configuration', '', markdownTable(changed), '');
  const problems = problemReasonsTable(data);
  if (problems) out.push('### Cases that did not run (one line per reason)', '', markdownTable(problems), '');

  out.push('## Rounds (decode tok/s, seconds to first token)', '');
  if (seed.prompts.length === 0) out.push('No chat prompts in these runs.');
  else if (seed.omittedRows > 0)
    out.push(
      `${seed.omittedRows} rounds: too many for this table; the csv and json formats have every sample.`,
    );
  else out.push(markdownTable(seedTableSpec(seed)));
  out.push('', '## llama-bench style summary (mean ± sd)', '', markdownTable(benchTableSpec(data)), '');

  out.push(...loadSectionMarkdown(data.datasets, markdownTable));
  out.push('## Per-group statistics', '');
  for (const m of METRIC_IDS) {
    const t = metricTableSpec(data, m);
    if (t) out.push(`### ${metricTitle(m)}`, '', markdownTable(t), '');
  }
  out.push(METHOD_NOTE, '');

  out.push('## Fingerprints', '');
  if (fingerprints.cases === 0) out.push('No case recorded a fingerprint.', '');
  else {
    const fp = fingerprintTables(fingerprints);
    out.push(`${fingerprints.cases} case fingerprints.`, '');
    if (fp.varied) out.push('**Varied:**', '', markdownTable(fp.varied), '');
    out.push('**Same for every case:**', '', markdownTable(fp.same), '');
  }
  return out.join('\n');
}
