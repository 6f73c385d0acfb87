import { summarizeFingerprints } from './fingerprint-summary.js';
import { renderCsv } from './render-csv.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';
import { buildReportData } from './report-data.js';
import type { RunDataset } from './run-dataset.js';
import { buildSeedTable } from './seed-table.js';

export const REPORT_FORMATS = ['md', 'csv', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions {
  /** Confidence level of the intervals (default 0.95). */
  confidence?: number;
  /** json: include every raw sample (default true). */
  rawSamples?: boolean;
  /** csv: one row per group and metric (`groups`, default) or one row per sample (`samples`). */
  csvRows?: 'groups' | 'samples';
  /** md/html: most rows in the rounds table before it is left out (default 100). */
  maxRoundRows?: number;
  /** Report title (default from the plan names and run ids). */
  title?: string;
}

/** Raised for a format name renderReport does not know. */
export class UnknownReportFormatError extends Error {
  override name = 'UnknownReportFormatError';
  constructor(format: string, options?: ErrorOptions) {
    super(`unknown report format '${format}': use one of ${REPORT_FORMATS.join(', ')}`, options);
  }
}

/** Raised when a report is asked for no runs at all. */
export class EmptyReportError extends Error {
  override name = 'EmptyReportError';
  constructor(options?: ErrorOptions) {
    super('a report needs at least one run', options);
  }
}

function defaultTitle(datasets: readonly RunDataset[]): string {
  const plans = [...new Set(datasets.map((d) => d.run.planName))].join(', ');
  const runs = datasets
    .map((d) => (d.run.label ? `${d.run.runId} (${d.run.label})` : d.run.runId))
    .join(', ');
  return `rigbench report: ${plans} — ${runs}`;
}

/**
 * Renders one or more runs. Several runs combine into one report: equal groups merge their samples, and the
 * rounds table names each round `<run label> #<repetition>`.
 */
export function renderReport(
  datasets: readonly RunDataset[],
  format: ReportFormat,
  options: ReportOptions = {},
): string {
  if (datasets.length === 0) throw new EmptyReportError();
  const data = buildReportData(datasets, options.confidence ?? 0.95);
  const title = options.title ?? defaultTitle(datasets);
  switch (format) {
    case 'md':
      return renderMarkdown(
        data,
        buildSeedTable(data, options.maxRoundRows),
        summarizeFingerprints(datasets),
        title,
      );
    case 'csv':
      return renderCsv(data, options.csvRows ?? 'groups');
    case 'json':
      return renderJson(data, summarizeFingerprints(datasets), title, options.rawSamples ?? true);
    case 'html':
      return renderHtml(
        data,
        buildSeedTable(data, options.maxRoundRows),
        summarizeFingerprints(datasets),
        title,
      );
    default:
      throw new UnknownReportFormatError(String(format));
  }
}
