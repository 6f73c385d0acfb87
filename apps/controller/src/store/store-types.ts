import type { RigbenchEvent } from '@rigbench/shared';

/** Why an event went to quarantine instead of the store. */
export const QUARANTINE_REASONS = ['malformed', 'unsupported-version', 'subject-mismatch'] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

/** A message that could not be stored as an event, kept with its raw bytes for inspection. */
export interface QuarantinedMessage {
  stream: string;
  /** JetStream stream sequence; with `stream` it makes quarantine writes idempotent under redelivery. */
  streamSeq: number;
  subject: string;
  reason: QuarantineReason;
  /** The parser's message, naming the field. */
  error: string;
  payload: Uint8Array;
}

/** One item of an ingest batch: a parsed event, or a message for the quarantine. */
export type IngestItem =
  { kind: 'event'; event: RigbenchEvent } | { kind: 'quarantine'; message: QuarantinedMessage };

/** What one ingest batch did. */
export interface IngestResult {
  /** Events written for the first time. */
  stored: number;
  /** Events already in the store (redelivery, a second collector): ignored. */
  duplicates: number;
  /** Messages written to (or already in) the quarantine. */
  quarantined: number;
}

/** A targeted agent as recorded at dispatch. */
export interface DispatchTarget {
  agentId: string;
  address: string | null;
  labels: Record<string, string>;
}

/** A row of `rigbench runs`. */
export interface RunSummaryRow {
  runId: string;
  planName: string | null;
  runName: string | null;
  label: string | null;
  createdAt: string;
  agents: string[];
  samples: number;
}

/** One agent of a run with what the store holds for it. */
export interface RunAgentRow {
  agentId: string;
  targeted: boolean;
  address: string | null;
  labels: Record<string, string>;
  acceptedAt: string | null;
  caseCount: number | null;
  /** Case ids the agent's `run.accepted` planned, in execution order; null before it or from older agents. */
  plannedCaseIds: string[] | null;
  finishedAt: string | null;
  outcome: string | null;
  reason: string | null;
  lastSeq: number | null;
  samplesPerCase: Record<string, number> | null;
  abandonedReason: string | null;
  /** Events stored (samples included). */
  eventsStored: number;
  /** Highest seq stored. */
  maxSeq: number;
  samplesStored: number;
  casesFinished: number;
  /** Last sample's decode rate, tokens per second; null before the first sample. */
  lastDecodeTokensPerSecond: number | null;
  /** Case of the latest `case.started`. */
  currentCaseId: string | null;
}

/** A heartbeat as last recorded in the store. */
export interface StoredAgent {
  agentId: string;
  address: string;
  labels: Record<string, string>;
  version: string;
  intervalSeconds: number;
  busy: boolean;
  runId: string | null;
  /** Controller clock, milliseconds since the epoch. */
  receivedAtMs: number;
}
