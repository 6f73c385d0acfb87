/** Reports over stored runs: tables, summaries and charts in md, csv, json and html. */
export type { RunDataset, RunInfo, RunStatus, RunAgent, RunCase, RunSample } from './run-dataset.js';
export {
  renderReport,
  reportChunks,
  writeReport,
  ReportTooLargeError,
  REPORT_FORMATS,
  UnknownReportFormatError,
  EmptyReportError,
  type ReportFormat,
  type ReportOptions,
} from './render-report.js';
export { buildReportData, type ReportData, type GroupStats } from './report-data.js';
export { METRICS, METRIC_IDS, type MetricId, type MetricInfo } from './report-metrics.js';
export {
  DESCRIPTOR_DIMENSIONS,
  backendLabel,
  describeCase,
  descriptorKey,
  type DescriptorDimension,
  type GroupDescriptor,
} from './group-descriptor.js';
export { flattenFingerprint, summarizeFingerprints, type FingerprintSummary } from './fingerprint-summary.js';
