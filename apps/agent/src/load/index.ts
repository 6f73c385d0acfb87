/** Serving load: parallel sequences on one context, request streams, goodput against SLOs, concurrency sweeps. */
export {
  runLoadLevel,
  runConcurrencySweep,
  type LoadLevelOptions,
  type LoadLevelResult,
} from './load-runner.js';
export {
  summarizeLoad,
  summarizeLatency,
  requestRecords,
  meetsSlo,
  arrivalSchedule,
  type RequestTiming,
  type LoadSlo,
  type LoadSummary,
  type LatencySummary,
} from './load-stats.js';
export {
  loadLevelEventMaxBytes,
  oversizedLoadTests,
  loadEventViolations,
  LOAD_REQUEST_RECORD_MAX_BYTES,
  LOAD_LEVEL_EVENT_OVERHEAD_BYTES,
} from './load-event-size.js';
