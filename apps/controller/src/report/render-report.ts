import { writeSync } from 'node:fs';
import { buildAnswers } from '../answers/build-answers.js';
import { summarizeFingerprints } from './fingerprint-summary.js';
import { renderCsvChunks } from './render-csv.js';
import { renderHtml } from './render-html.js';
import { renderJsonChunks } from './render-json.js';
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

/** Raised when a report does not fit one string; {@link writeReport} streams it instead. */
export class ReportTooLargeError extends Error {
  override name = 'ReportTooLargeError';
  constructor(format: string, chars: number, options?: ErrorOptions) {
    super(
      `the ${format} report passed ${chars} characters, more than one string can hold: write it to a file ` +
        '(writeReport, `rigbench report --out FILE`) or leave the raw samples out',
      options,
    );
  }
}

/** Longest string renderReport builds (V8 allows about 2^29 characters). */
const MAX_REPORT_CHARS = 2 ** 29 - 1024;

/**
 * The report as consecutive pieces of text: md and html come as one piece, json and per-sample csv in pieces of
 * 10,000 samples, so a run of millions of samples can be written out without building one giant string.
 * Several runs combine into one report: equal groups merge their samples, and the rounds table names each
 * round `<run label> #<repetition>`.
 */
export function* reportChunks(
  datasets: readonly RunDataset[],
  format: ReportFormat,
  options: ReportOptions = {},
): Generator<string> {
  if (!REPORT_FORMATS.includes(format)) throw new UnknownReportFormatError(String(format));
  if (datasets.length === 0) throw new EmptyReportError();
  const data = buildReportData(datasets, options.confidence ?? 0.95);
  const title = options.title ?? defaultTitle(datasets);
  const answers = (): ReturnType<typeof buildAnswers> =>
    buildAnswers(datasets, { confidence: options.confidence ?? 0.95 });
  switch (format) {
    case 'md':
      yield renderMarkdown(
        data,
        answers(),
        buildSeedTable(data, options.maxRoundRows),
        summarizeFingerprints(datasets),
        title,
      );
      return;
    case 'csv':
      yield* renderCsvChunks(data, options.csvRows ?? 'groups');
      return;
    case 'json':
      yield* renderJsonChunks(
        data,
        answers(),
        summarizeFingerprints(datasets),
        title,
        options.rawSamples ?? true,
      );
      return;
    case 'html':
      yield renderHtml(
        data,
        answers(),
        buildSeedTable(data, options.maxRoundRows),
        summarizeFingerprints(datasets),
        title,
      );
      return;
  }
}

/** Renders one or more runs as one string (see {@link reportChunks}); throws ReportTooLargeError past ~512 MiB. */
export function renderReport(
  datasets: readonly RunDataset[],
  format: ReportFormat,
  options: ReportOptions = {},
): string {
  const parts: string[] = [];
  let chars = 0;
  for (const chunk of reportChunks(datasets, format, options)) {
    chars += chunk.length;
    if (chars > MAX_REPORT_CHARS) throw new ReportTooLargeError(format, chars);
    parts.push(chunk);
  }
  return parts.join('');
}

/**
 * Writes a report to an open file descriptor (a file, or 1 for stdout) piece by piece; any size.
 * Returns the number of characters written.
 */
export function writeReport(
  datasets: readonly RunDataset[],
  format: ReportFormat,
  fd: number,
  options: ReportOptions = {},
): number {
  let chars = 0;
  for (const chunk of reportChunks(datasets, format, options)) {
    writeSync(fd, chunk);
    chars += chunk.length;
  }
  return chars;
}
