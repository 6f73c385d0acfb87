import type { Fingerprint } from '../measurement/fingerprint.js';
import type { Sample } from '../measurement/sample.js';
import type { LoadLevelRecord } from '../measurement/load-level.js';

/**
 * Events an agent publishes to JetStream, one stream for the fleet.
 * Subject `rigbench.events.<agentId>.<runId>`, message id `<runId>.<agentId>.<seq>` (JetStream de-duplication).
 */
export const EVENT_SCHEMA_VERSION = 1 as const;
// The subjects and the stream name live with the rest of the NATS layer; re-exported here for event code.
export {
  EVENT_STREAM,
  EVENT_SUBJECT_PREFIX,
  HEARTBEAT_SUBJECT_PREFIX,
  agentInboxPrefix,
  eventMessageId,
  eventSubject,
  heartbeatSubject,
} from '../nats/nats-subjects.js';

interface EventBase {
  /** Schema version of the event envelope. */
  v: typeof EVENT_SCHEMA_VERSION;
  runId: string;
  agentId: string;
  /** 1-based, gap-free per (runId, agentId); `run.accepted` is 1. */
  seq: number;
  /** Agent wall clock, ISO 8601. */
  time: string;
}

export interface RunAcceptedEvent extends EventBase {
  type: 'run.accepted';
  planName: string;
  /** sha256 of the canonical plan JSON. */
  planHash: string;
  /** The plan as received (JSON), so the store can rebuild the case list. */
  plan: unknown;
  caseCount: number;
  /** Free-form label for the run (e.g. `night`), from the controller. */
  label?: string;
}

export interface CaseStartedEvent extends EventBase {
  type: 'case.started';
  caseId: string;
  caseIndex: number;
  fingerprint: Fingerprint;
  /** Seconds to load the model; the same figure for every case of a worker group. */
  modelLoadSeconds: number;
  /** True when this case reused the model loaded for an earlier case of the run. */
  modelReused: boolean;
}

export interface SampleRecordedEvent extends EventBase {
  type: 'sample.recorded';
  caseId: string;
  sample: Sample;
}

export const CASE_OUTCOMES = ['ok', 'failed', 'skipped'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

export interface CaseFinishedEvent extends EventBase {
  type: 'case.finished';
  caseId: string;
  outcome: CaseOutcome;
  /** Why a case failed or was skipped (signal/exit code and last stderr lines, missing backend, …). */
  reason?: string;
  /** Samples recorded for this case. */
  samples: number;
  /** Peak resident memory of the worker process so far, in bytes. */
  workerPeakRssBytes?: number;
}

/** `interrupted`: the agent process ended while the run was active (crash, kill, power loss); closed at restart. */
export const RUN_OUTCOMES = ['completed', 'partial', 'cancelled', 'failed', 'interrupted'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export interface RunFinishedEvent extends EventBase {
  type: 'run.finished';
  outcome: RunOutcome;
  reason?: string;
  /** caseId → samples recorded; lets the collector prove it stored everything. */
  samplesPerCase: Record<string, number>;
  /** caseId → outcome. */
  caseOutcomes: Record<string, CaseOutcome>;
  /** Highest `seq` of this run, this event included. */
  lastSeq: number;
}

/**
 * Progress of a model download (`hf:` source, `downloads.enabled`) before the case that needs it starts: at
 * most once a second or every 5 % of the bytes, and once more when the download completes. Display only: the
 * store keeps it with the run's events; nothing is derived from it.
 */
export interface ModelDownloadEvent extends EventBase {
  type: 'model.download';
  /** The plan's model source being downloaded. */
  source: string;
  /** Bytes present so far (files already complete count). */
  downloadedBytes: number;
  /** Bytes of the whole download (every file of a split model together). */
  totalBytes: number;
  /** True on the event sent when every byte is present. */
  done: boolean;
}

/** Every event on the event stream, discriminated by `type`. */
/** One level of a serving-load case (a plan `load` test at one concurrency); schema in `load-level-event.ts`. */
export interface LoadLevelRecordedEvent extends EventBase {
  type: 'load.level.recorded';
  caseId: string;
  level: LoadLevelRecord;
}

export type RigbenchEvent =
  | RunAcceptedEvent
  | CaseStartedEvent
  | SampleRecordedEvent
  | CaseFinishedEvent
  | RunFinishedEvent
  | ModelDownloadEvent
  | LoadLevelRecordedEvent;
export type RigbenchEventType = RigbenchEvent['type'];

/** Distributive Omit so each union member keeps its own fields. */
export type EventPayload<E extends RigbenchEvent = RigbenchEvent> = E extends RigbenchEvent
  ? Omit<E, keyof EventBase>
  : never;

/** Published on core NATS every few seconds by each agent; the controller's fleet view is built from these. */
export interface AgentHeartbeat {
  v: typeof EVENT_SCHEMA_VERSION;
  type: 'agent.heartbeat';
  agentId: string;
  labels: Record<string, string>;
  /** gRPC address the controller should dial, `host:port`. */
  address: string;
  version: string;
  busy: boolean;
  runId: string | null;
  /** Interval the agent promises, in seconds; the controller derives stale/lost from it. */
  intervalSeconds: number;
  time: string;
}
