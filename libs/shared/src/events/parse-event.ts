import { z } from 'zod';
import { BACKENDS } from '../plan/plan-model.js';
import { FINISH_REASONS } from '../measurement/sample.js';
import { DEVICE_KINDS } from '../measurement/device-kind.js';
import { loadLevelEventSchema } from './load-level-event.js';
import { CASE_OUTCOMES, EVENT_SCHEMA_VERSION, RUN_OUTCOMES, type RigbenchEvent } from './event-types.js';

/** The bytes on an event subject are not a well-formed `RigbenchEvent` (bad JSON, unknown type, bad field). */
export class MalformedEventError extends Error {
  override name = 'MalformedEventError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The event carries a schema version this build does not understand (`v` other than the supported one). */
export class UnsupportedEventVersionError extends Error {
  override name = 'UnsupportedEventVersionError';
  /** The version the event claimed. */
  readonly version: unknown;
  constructor(version: unknown, options?: ErrorOptions) {
    super(
      `unsupported event schema version ${JSON.stringify(version)}; this build reads v${EVENT_SCHEMA_VERSION}`,
      options,
    );
    this.version = version;
  }
}

const nonNegative = z.number().finite().nonnegative();
// Ids become NATS subject tokens and store keys: no dots, wildcards or whitespace.
const token = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only');

const base = {
  v: z.literal(EVENT_SCHEMA_VERSION),
  runId: token,
  agentId: token,
  seq: z.number().int().positive(),
  time: z.string().min(1),
};

const gpuFacts = z.looseObject({
  index: z.number().int().nonnegative(),
  name: z.string(),
  // Reports mark software devices from this field: an unknown kind is an error, not a silent hardware GPU.
  kind: z.enum(DEVICE_KINDS).optional(),
});

const fingerprint = z.looseObject({
  rigbenchVersion: z.string(),
  backend: z.enum(BACKENDS),
  gpus: z.array(gpuFacts),
  model: z.looseObject({ source: z.string(), sha256: z.string() }),
});

const phaseEnergy = z.looseObject({
  seconds: nonNegative,
  joules: nonNegative,
  meanWatts: nonNegative,
  peakWatts: nonNegative,
  readings: z.number().int().nonnegative(),
  tokensPerJoule: nonNegative.nullable(),
  tokensPerJouleAboveIdle: nonNegative.nullable(),
});
const sourceEnergy = z.looseObject({
  idleWatts: nonNegative.nullable(),
  prompt: phaseEnergy.nullable(),
  decode: phaseEnergy.nullable(),
});
const sampleEnergy = z.looseObject({
  gpu: sourceEnergy.nullable(),
  cpu: sourceEnergy.nullable(),
  promptTokensPerJoule: nonNegative.nullable(),
  decodeTokensPerJoule: nonNegative.nullable(),
});

const sample = z.looseObject({
  caseId: z.string().min(1),
  repetition: z.number().int().nonnegative(),
  mode: z.enum(['chat', 'raw']),
  startedAt: z.string(),
  modelLoadSeconds: nonNegative,
  promptTokens: nonNegative,
  promptSeconds: nonNegative,
  promptTokensPerSecond: nonNegative,
  ttftSeconds: nonNegative.nullable(),
  generatedTokens: nonNegative,
  decodeSeconds: nonNegative,
  decodeTokensPerSecond: nonNegative,
  interTokenLatency: z.object({ p50: nonNegative, p90: nonNegative, p99: nonNegative }).nullable(),
  endToEndSeconds: nonNegative,
  vram: z.object({ beforeBytes: nonNegative, peakBytes: nonNegative, afterBytes: nonNegative }).nullable(),
  workerPeakRssBytes: nonNegative,
  threads: z.number().int().nonnegative(),
  batchSize: z.number().int().nonnegative(),
  finishReason: z.enum(FINISH_REASONS),
  energy: sampleEnergy.nullable().optional(),
});

const caseOutcome = z.enum(CASE_OUTCOMES);

const eventSchema = z.discriminatedUnion('type', [
  z.looseObject({
    ...base,
    type: z.literal('run.accepted'),
    planName: z.string(),
    planHash: z.string(),
    plan: z.unknown(),
    caseCount: z.number().int().nonnegative(),
    label: z.string().optional(),
  }),
  z.looseObject({
    ...base,
    type: z.literal('case.started'),
    caseId: z.string().min(1),
    caseIndex: z.number().int().nonnegative(),
    fingerprint,
    modelLoadSeconds: nonNegative,
    modelReused: z.boolean(),
  }),
  z.looseObject({ ...base, type: z.literal('sample.recorded'), caseId: z.string().min(1), sample }),
  z.looseObject({
    ...base,
    type: z.literal('case.finished'),
    caseId: z.string().min(1),
    outcome: caseOutcome,
    reason: z.string().optional(),
    samples: z.number().int().nonnegative(),
    workerPeakRssBytes: nonNegative.optional(),
  }),
  z.looseObject({
    ...base,
    type: z.literal('run.finished'),
    outcome: z.enum(RUN_OUTCOMES),
    reason: z.string().optional(),
    samplesPerCase: z.record(z.string(), z.number().int().nonnegative()),
    caseOutcomes: z.record(z.string(), caseOutcome),
    lastSeq: z.number().int().positive(),
  }),
  z.looseObject({
    ...base,
    type: z.literal('model.download'),
    source: z.string().min(1),
    downloadedBytes: nonNegative,
    totalBytes: nonNegative,
    done: z.boolean(),
  }),
  loadLevelEventSchema,
]);

const decoder = new TextDecoder('utf-8', { fatal: true });

const TOKEN = /^[A-Za-z0-9_-]+$/;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isInt = (v: unknown): boolean => isNum(v) && Number.isInteger(v);
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const CHAT_RAW = new Set<unknown>(['chat', 'raw']);
const FINISH = new Set<unknown>(FINISH_REASONS);

/**
 * Hand-written check of the one event type that makes up nearly all traffic (`sample.recorded`), equivalent to
 * the zod schema: the collector ingests tens of thousands per second. Anything it does not accept goes through
 * zod, which either accepts it too or produces the error message with the field path.
 */
function isPlainValidSampleEvent(j: Record<string, unknown>): boolean {
  if (j.type !== 'sample.recorded') return false;
  const s = j.sample;
  if (
    typeof j.runId !== 'string' ||
    !TOKEN.test(j.runId) ||
    typeof j.agentId !== 'string' ||
    !TOKEN.test(j.agentId) ||
    !isInt(j.seq) ||
    (j.seq as number) < 1 ||
    typeof j.time !== 'string' ||
    j.time === '' ||
    typeof j.caseId !== 'string' ||
    j.caseId === '' ||
    !isObj(s)
  ) {
    return false;
  }
  const itl = s.interTokenLatency;
  const vram = s.vram;
  return (
    typeof s.caseId === 'string' &&
    s.caseId !== '' &&
    isInt(s.repetition) &&
    CHAT_RAW.has(s.mode) &&
    typeof s.startedAt === 'string' &&
    isNum(s.modelLoadSeconds) &&
    isNum(s.promptTokens) &&
    isNum(s.promptSeconds) &&
    isNum(s.promptTokensPerSecond) &&
    (s.ttftSeconds === null || isNum(s.ttftSeconds)) &&
    isNum(s.generatedTokens) &&
    isNum(s.decodeSeconds) &&
    isNum(s.decodeTokensPerSecond) &&
    (itl === null || (isObj(itl) && isNum(itl.p50) && isNum(itl.p90) && isNum(itl.p99))) &&
    isNum(s.endToEndSeconds) &&
    (vram === null ||
      (isObj(vram) && isNum(vram.beforeBytes) && isNum(vram.peakBytes) && isNum(vram.afterBytes))) &&
    isNum(s.workerPeakRssBytes) &&
    isInt(s.threads) &&
    isInt(s.batchSize) &&
    FINISH.has(s.finishReason) &&
    // Energy figures are checked by zod (they are rare next to plain samples and nested).
    (s.energy === undefined || s.energy === null)
  );
}

/**
 * Parses and validates one event as read from the event stream. Unknown extra fields are kept (a newer agent
 * may add optional fields within the same schema version).
 *
 * @throws MalformedEventError for invalid UTF-8, invalid JSON, a non-object, an unknown `type` or a bad field
 *   (the message names the field path).
 * @throws UnsupportedEventVersionError when `v` is not the supported schema version.
 */
export function parseEvent(input: Uint8Array | string): RigbenchEvent {
  let text: string;
  try {
    text = typeof input === 'string' ? input : decoder.decode(input);
  } catch (error) {
    throw new MalformedEventError('event is not valid UTF-8', { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MalformedEventError(`event is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MalformedEventError(
      `event must be a JSON object, got ${Array.isArray(json) ? 'array' : typeof json}`,
    );
  }
  const version = (json as { v?: unknown }).v;
  if (version !== EVENT_SCHEMA_VERSION) {
    if (version === undefined) throw new MalformedEventError('event has no schema version field "v"');
    throw new UnsupportedEventVersionError(version);
  }
  if (isPlainValidSampleEvent(json as Record<string, unknown>)) return json as RigbenchEvent;
  const result = eventSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    const type = (json as { type?: unknown }).type;
    throw new MalformedEventError(
      `invalid ${typeof type === 'string' ? `'${type}'` : 'untyped'} event at ${path}: ${issue?.message ?? 'invalid'}`,
      { cause: result.error },
    );
  }
  return result.data as unknown as RigbenchEvent;
}
