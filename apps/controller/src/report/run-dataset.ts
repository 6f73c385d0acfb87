import type {
  BenchCase,
  CaseOutcome,
  Fingerprint,
  LoadLevelRecord,
  RunOutcome,
  Sample,
} from '@rigbench/shared';

/**
 * Where a run stands in the store: `incomplete` means a targeted agent's data is missing (see `missing`);
 * `cancelled` means every agent's data arrived but at least one agent reported the run cancelled, so cases
 * after the cancel never ran (never shown as `complete`).
 */
export type RunStatus = 'running' | 'complete' | 'cancelled' | 'incomplete';

/** The run itself, as the store knows it. */
export interface RunInfo {
  runId: string;
  planName: string;
  /** Free-form label (e.g. `morning`); names the round when several runs are combined in one report. */
  label: string | null;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601; null while running or when never finished. */
  finishedAt: string | null;
  status: RunStatus;
  /** Human lines naming what is missing (e.g. `agent rig-b: no run.finished`); empty when complete. */
  missing: string[];
}

/** One targeted agent. */
export interface RunAgent {
  agentId: string;
  labels: Record<string, string>;
  /** From the agent's `run.finished`; null when it never arrived. */
  outcome: RunOutcome | null;
}

/** One case on one agent. */
export interface RunCase {
  agentId: string;
  caseId: string;
  benchCase: BenchCase;
  /** From `case.started`; null when the case never started. */
  fingerprint: Fingerprint | null;
  /** Model load time, in seconds; null when the case never started. */
  modelLoadSeconds: number | null;
  /** From `case.finished`; null when it never arrived. */
  outcome: CaseOutcome | null;
  /** Why the case failed or was skipped. */
  reason: string | null;
}

/** One measured repetition. */
export interface RunSample {
  agentId: string;
  caseId: string;
  sample: Sample;
}

/** One serving-load level (a `load` case's result) on one agent. */
export interface RunLoadLevel {
  agentId: string;
  caseId: string;
  level: LoadLevelRecord;
}

/**
 * Everything the store knows about one run, flattened: the input of every report and comparison.
 * Built by the store layer; reports never read the database themselves.
 */
export interface RunDataset {
  run: RunInfo;
  agents: RunAgent[];
  cases: RunCase[];
  samples: RunSample[];
  /** Serving-load levels (plan `load` tests); absent when the run has none. */
  loadLevels?: RunLoadLevel[];
}
