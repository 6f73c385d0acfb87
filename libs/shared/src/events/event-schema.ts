import { z } from 'zod';
import { loadLevelEnergySchema } from '../measurement/energy-schema.js';
import { fingerprintSchema } from '../measurement/fingerprint-schema.js';
import { sampleSchema } from '../measurement/sample.js';
import type { LoadLevelRecord } from '../measurement/load-level.js';
import type { AssertTrue, Equal } from './type-equality.js';

/**
 * The one definition of the events on the event stream. The event types (`event-types.ts`) are inferred from these
 * schemas, `parseEvent` validates with them, and its fast path is compiled from them (`compile-validator.ts`), so
 * a field exists in one place. Objects accept unknown extra fields (a newer agent may add optional fields within
 * the same schema version); `parseEvent` returns the input as sent, extras included.
 */

/** Schema version of the event envelope. */
export const EVENT_SCHEMA_VERSION = 1 as const;
export const CASE_OUTCOMES = ['ok', 'failed', 'skipped'] as const;
/** `interrupted`: the agent process ended while the run was active (crash, kill, power loss); closed at restart. */
export const RUN_OUTCOMES = ['completed', 'partial', 'cancelled', 'failed', 'interrupted'] as const;

const nonNegative = z.number().nonnegative();
const count = z.number().int().nonnegative();
// Ids become NATS subject tokens and store keys: no dots, wildcards or whitespace.
const token = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only');
const caseId = z.string().min(1);
const caseOutcome = z.enum(CASE_OUTCOMES);

/** The envelope every event carries. */
export const eventEnvelopeShape = {
  /** Schema version of the event envelope. */
  v: z.literal(EVENT_SCHEMA_VERSION),
  runId: token,
  agentId: token,
  /** 1-based, gap-free per (runId, agentId); `run.accepted` is 1. */
  seq: z.number().int().positive(),
  /** Agent wall clock, ISO 8601. */
  time: z.string().min(1),
};

export const runAcceptedSchema = z.object({
  ...eventEnvelopeShape,
  type: z.literal('run.accepted'),
  planName: z.string(),
  /** sha256 of the canonical plan JSON. */
  planHash: z.string(),
  /** The plan as received (JSON): what each case measures is read from it. */
  plan: z.unknown(),
  caseCount: count,
  /**
   * Every planned case id in execution order (`caseIds.length === caseCount`): the controller knows what was
   * planned from this, without expanding the plan again. Absent in events of agents that predate it.
   */
  caseIds: z.array(caseId).optional(),
  /** Free-form label for the run (e.g. `night`), from the controller. */
  label: z.string().optional(),
});

export const caseStartedSchema = z.object({
  ...eventEnvelopeShape,
  type: z.literal('case.started'),
  caseId,
  caseIndex: count,
  fingerprint: fingerprintSchema,
  /** Seconds to load the model; the same figure for every case of a worker group. */
  modelLoadSeconds: nonNegative,
  /** True when this case reused the model loaded for an earlier case of the run. */
  modelReused: z.boolean(),
});

export const sampleRecordedSchema = z.object({
  ...eventEnvelopeShape,
  type: z.literal('sample.recorded'),
  caseId,
  sample: sampleSchema,
});

export const caseFinishedSchema = z.object({
  ...eventEnvelopeShape,
  type: z.literal('case.finished'),
  caseId,
  outcome: caseOutcome,
  /** Why a case failed or was skipped (signal/exit code and last stderr lines, missing backend, …). */
  reason: z.string().optional(),
  /** Samples recorded for this case. */
  samples: count,
  /** Peak resident memory of the worker process so far, in bytes. */
  workerPeakRssBytes: nonNegative.optional(),
});

export const runFinishedSchema = z.object({
  ...eventEnvelopeShape,
  type: z.literal('run.finished'),
  outcome: z.enum(RUN_OUTCOMES),
  reason: z.string().optional(),
  /** caseId → samples recorded; lets the collector prove it stored everything. */
  samplesPerCase: z.record(z.string(), count),
  /** caseId → outcome. */
  caseOutcomes: z.record(z.string(), caseOutcome),
  /** Highest `seq` of this run, this event included. */
  lastSeq: z.number().int().positive(),
});

/**
 * Progress of a model download (`hf:` source, `downloads.enabled`) before the case that needs it starts: at most
 * once a second or every 5 % of the bytes, and once more when the download completes. Display only: the store
 * keeps it with the run's events; nothing is derived from it.
 */
export const modelDownloadSchema = z.object({
  ...eventEnvelopeShape,
  type: z.literal('model.download'),
  /** The plan's model source being downloaded. */
  source: z.string().min(1),
  /** Bytes present so far (files already complete count). */
  downloadedBytes: nonNegative,
  /** Bytes of the whole download (every file of a split model together). */
  totalBytes: nonNegative,
  /** True on the event sent when every byte is present. */
  done: z.boolean(),
});

const latencySummary = z.object({
  mean: nonNegative.nullable(),
  median: nonNegative.nullable(),
  p90: nonNegative.nullable(),
  p99: nonNegative.nullable(),
});

const loadRequest = z.object({
  arrivalMs: nonNegative,
  ttftMs: nonNegative.nullable(),
  e2elMs: nonNegative.nullable(),
  promptTokens: count,
  outputTokens: count,
  itlMs: z.object({ p50: nonNegative, p90: nonNegative, p99: nonNegative }).nullable(),
  metSlo: z.boolean().nullable(),
});

/** One level of a serving-load case (`measurement/load-level.ts` documents the fields; checked equal to it). */
export const loadLevelRecordSchema = z.object({
  testId: z.string().min(1),
  concurrency: z.number().int().positive(),
  stream: z.enum(['concurrency', 'poisson']),
  arrivalRate: nonNegative.nullable(),
  slo: z
    .object({
      ttftMs: nonNegative.optional(),
      itlP90Ms: nonNegative.optional(),
      e2elMs: nonNegative.optional(),
    })
    .nullable(),
  maxTokens: z.number().int().positive(),
  threads: count,
  summary: z.object({
    completed: count,
    durationSeconds: nonNegative,
    request_throughput: nonNegative,
    output_throughput: nonNegative,
    total_token_throughput: nonNegative,
    ttft: latencySummary,
    tpot: latencySummary,
    itl: latencySummary,
    e2el: latencySummary,
    goodput: nonNegative.nullable(),
    sloAttainment: z.number().min(0).max(1).nullable(),
  }),
  requests: z.array(loadRequest),
  energy: loadLevelEnergySchema.nullable().optional(),
});

/**
 * One level of a serving-load case (a plan `load` test at one concurrency), published between the case's
 * `case.started` and `case.finished`; load cases record no samples.
 */
export const loadLevelRecordedSchema = z.object({
  ...eventEnvelopeShape,
  type: z.literal('load.level.recorded'),
  caseId,
  level: loadLevelRecordSchema,
});

/** Every event on the event stream, discriminated by `type`. */
export const eventSchema = z.discriminatedUnion('type', [
  runAcceptedSchema,
  caseStartedSchema,
  sampleRecordedSchema,
  caseFinishedSchema,
  runFinishedSchema,
  modelDownloadSchema,
  loadLevelRecordedSchema,
]);

/** Compile-time check: the load level record schema infers exactly the documented `LoadLevelRecord`. */
export type LoadLevelSchemaChecks = [
  AssertTrue<Equal<z.infer<typeof loadLevelRecordSchema>, LoadLevelRecord>>,
];
