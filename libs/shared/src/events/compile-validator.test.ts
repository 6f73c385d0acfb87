/**
 * Property tests: the validator compiled from the event schema accepts exactly what `eventSchema.safeParse`
 * accepts, on valid events of every type and on the same events with one value replaced, removed or added
 * anywhere in them. `EVENT_VALIDATOR_RUNS=20000 npm run jest -- compile-validator` for a longer session.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { UnsupportedSchemaError, compileValidator } from './compile-validator.js';
import { eventSchema } from './event-schema.js';

const RUNS = Number(process.env.EVENT_VALIDATOR_RUNS ?? 600);
const isValidEvent = compileValidator(eventSchema);
const zodAccepts = (value: unknown): boolean => eventSchema.safeParse(value).success;

const seconds = fc.double({ min: 0, max: 1e4, noNaN: true });
const bytes = fc.integer({ min: 0, max: 2 ** 40 });
const count = fc.integer({ min: 0, max: 10_000 });
const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const caseId = fc.string({ minLength: 1, maxLength: 12 });
const time = fc.constant('2026-01-01T00:00:00.000Z');

const envelope = {
  v: fc.constant(1),
  runId: token,
  agentId: token,
  seq: fc.integer({ min: 1, max: 1e6 }),
  time,
};

const phase = fc.record({
  seconds,
  joules: seconds,
  meanWatts: seconds,
  peakWatts: seconds,
  readings: count,
  tokensPerJoule: fc.option(seconds),
  tokensPerJouleAboveIdle: fc.option(seconds),
});
const source = fc.record({
  idleWatts: fc.option(seconds),
  prompt: fc.option(phase),
  decode: fc.option(phase),
});
const energy = fc.record({
  gpu: fc.option(source),
  cpu: fc.option(source),
  promptTokensPerJoule: fc.option(seconds),
  decodeTokensPerJoule: fc.option(seconds),
});

const sample = fc.record(
  {
    caseId,
    repetition: count,
    mode: fc.constantFrom('chat', 'raw'),
    startedAt: time,
    modelLoadSeconds: seconds,
    promptTokens: count,
    promptSeconds: seconds,
    promptTokensPerSecond: seconds,
    ttftSeconds: fc.option(seconds),
    generatedTokens: count,
    decodeSeconds: seconds,
    decodeTokensPerSecond: seconds,
    interTokenLatency: fc.option(fc.record({ p50: seconds, p90: seconds, p99: seconds })),
    endToEndSeconds: seconds,
    vram: fc.option(fc.record({ beforeBytes: bytes, peakBytes: bytes, afterBytes: bytes })),
    workerPeakRssBytes: bytes,
    threads: count,
    batchSize: count,
    finishReason: fc.constantFrom('maxTokens', 'eos', 'stopped', 'completed'),
    energy: fc.option(energy),
  },
  {
    requiredKeys: [
      'caseId',
      'repetition',
      'mode',
      'startedAt',
      'modelLoadSeconds',
      'promptTokens',
      'promptSeconds',
      'promptTokensPerSecond',
      'ttftSeconds',
      'generatedTokens',
      'decodeSeconds',
      'decodeTokensPerSecond',
      'interTokenLatency',
      'endToEndSeconds',
      'vram',
      'workerPeakRssBytes',
      'threads',
      'batchSize',
      'finishReason',
    ],
  },
);

const gpu = fc.record(
  {
    index: count,
    name: fc.string(),
    kind: fc.constantFrom('discrete', 'integrated', 'virtual', 'software'),
    uuid: fc.string(),
    vramTotalBytes: bytes,
    driverVersion: fc.string(),
  },
  { requiredKeys: ['index', 'name'] },
);
const fingerprint = fc.record(
  {
    rigbenchVersion: fc.constant('0.1.0'),
    nodeLlamaCppVersion: fc.constant('3.21.1'),
    llamaCppRelease: fc.constant('b6000'),
    backend: fc.constantFrom('cpu', 'cuda', 'vulkan', 'metal'),
    gpus: fc.array(gpu, { maxLength: 2 }),
    offload: fc.record({
      requestedLayers: fc.oneof(fc.constant('max'), count),
      offloadedLayers: count,
      totalLayers: count,
    }),
    driverVersion: fc.option(fc.string()),
    cpuModel: fc.string(),
    cpuCores: fc.record({ physical: count, logical: count }),
    os: fc.string(),
    kernel: fc.string(),
    nodeVersion: fc.string(),
    hostname: fc.string(),
    model: fc.record({
      source: fc.string(),
      sha256: fc.string(),
      fileSizeBytes: bytes,
      architecture: fc.string(),
      parameterCount: fc.option(bytes),
      quantization: fc.string(),
      trainedContextSize: fc.option(count),
    }),
    threads: count,
    batchSize: count,
    contextSize: count,
    gpuLayers: fc.oneof(fc.constant('max'), count),
    flashAttention: fc.boolean(),
    kvCacheType: fc.constant('f16'),
    workerUvThreadpoolSize: count,
    llamaBuild: fc.record({ type: fc.constantFrom('prebuilt', 'localBuild'), systemInfo: fc.string() }),
    threadPool: fc.oneof(
      fc.record({ mode: fc.constant('attached'), threads: count, poll: count }),
      fc.record({ mode: fc.constant('per-graph'), reason: fc.string() }),
    ),
    energySources: fc.record({
      gpu: fc.option(fc.string()),
      gpuUnavailable: fc.option(fc.string()),
      cpu: fc.option(fc.string()),
      cpuUnavailable: fc.option(fc.string()),
    }),
  },
  {
    requiredKeys: [
      'rigbenchVersion',
      'nodeLlamaCppVersion',
      'llamaCppRelease',
      'backend',
      'gpus',
      'driverVersion',
      'cpuModel',
      'cpuCores',
      'os',
      'kernel',
      'nodeVersion',
      'hostname',
      'model',
      'threads',
      'batchSize',
      'contextSize',
      'gpuLayers',
      'flashAttention',
      'kvCacheType',
    ],
  },
);

const outcome = fc.constantFrom('ok', 'failed', 'skipped');
const ms = fc.option(seconds);
const latency = fc.record({ mean: ms, median: ms, p90: ms, p99: ms });
const loadLevel = fc.record({
  testId: fc.string({ minLength: 1 }),
  concurrency: fc.integer({ min: 1, max: 64 }),
  stream: fc.constantFrom('concurrency', 'poisson'),
  arrivalRate: fc.option(seconds),
  slo: fc.option(fc.record({ ttftMs: seconds, itlP90Ms: seconds, e2elMs: seconds }, { requiredKeys: [] })),
  maxTokens: fc.integer({ min: 1, max: 4096 }),
  threads: count,
  summary: fc.record({
    completed: count,
    durationSeconds: seconds,
    request_throughput: seconds,
    output_throughput: seconds,
    total_token_throughput: seconds,
    ttft: latency,
    tpot: latency,
    itl: latency,
    e2el: latency,
    goodput: fc.option(seconds),
    sloAttainment: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  }),
  requests: fc.array(
    fc.record({
      arrivalMs: seconds,
      ttftMs: ms,
      e2elMs: ms,
      promptTokens: count,
      outputTokens: count,
      itlMs: fc.option(fc.record({ p50: seconds, p90: seconds, p99: seconds })),
      metSlo: fc.option(fc.boolean()),
    }),
    { maxLength: 3 },
  ),
});
const validEvent = fc.oneof(
  fc.record({ ...envelope, type: fc.constant('sample.recorded'), caseId, sample }),
  fc.record(
    {
      ...envelope,
      type: fc.constant('run.accepted'),
      planName: fc.string(),
      planHash: fc.string(),
      plan: fc.jsonValue(),
      caseCount: count,
      caseIds: fc.array(caseId, { maxLength: 4 }),
      label: fc.string(),
    },
    {
      requiredKeys: [
        'v',
        'runId',
        'agentId',
        'seq',
        'time',
        'type',
        'planName',
        'planHash',
        'plan',
        'caseCount',
      ],
    },
  ),
  fc.record({
    ...envelope,
    type: fc.constant('case.started'),
    caseId,
    caseIndex: count,
    fingerprint,
    modelLoadSeconds: seconds,
    modelReused: fc.boolean(),
  }),
  fc.record(
    {
      ...envelope,
      type: fc.constant('case.finished'),
      caseId,
      outcome,
      reason: fc.string(),
      samples: count,
      workerPeakRssBytes: bytes,
    },
    { requiredKeys: ['v', 'runId', 'agentId', 'seq', 'time', 'type', 'caseId', 'outcome', 'samples'] },
  ),
  fc.record({
    ...envelope,
    type: fc.constant('run.finished'),
    outcome: fc.constantFrom('completed', 'partial', 'cancelled', 'failed', 'interrupted'),
    samplesPerCase: fc.dictionary(caseId, count, { maxKeys: 3 }),
    caseOutcomes: fc.dictionary(caseId, outcome, { maxKeys: 3 }),
    lastSeq: fc.integer({ min: 1, max: 1e6 }),
  }),
  fc.record({
    ...envelope,
    type: fc.constant('model.download'),
    source: fc.string({ minLength: 1 }),
    downloadedBytes: bytes,
    totalBytes: bytes,
    done: fc.boolean(),
  }),
  fc.record({ ...envelope, type: fc.constant('load.level.recorded'), caseId, level: loadLevel }),
);

/** Values that sit on or just past the edges the schemas draw. */
const oddValue = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    undefined,
    0,
    -0,
    -1,
    0.5,
    1,
    -1e-9,
    2 ** 53,
    Number.MAX_SAFE_INTEGER,
    Infinity,
    -Infinity,
    NaN,
    '',
    'x',
    'a b',
    'a.b',
    true,
    false,
    [],
    {},
    'chat',
    'raw',
    'max',
    'ok',
    'completed',
    'software',
    'sample.recorded',
    'run.accepted',
    'model.download',
    'load.level.recorded',
    'poisson',
    'attached',
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

type Json = Record<string, unknown> | unknown[];
const isContainer = (v: unknown): v is Json => typeof v === 'object' && v !== null;

/** Every path to a value inside `root`, root excluded. */
function paths(root: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (!isContainer(root)) return [];
  return Object.entries(root).flatMap(([key, value]) => {
    const path = [...prefix, Array.isArray(root) ? Number(key) : key];
    return [path, ...paths(value, path)];
  });
}

/** A copy of `root` with the value at `path` replaced (or deleted when `value` is the `DELETE` marker). */
const DELETE = Symbol('delete');
function withValue(root: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  const copy = structuredClone(root) as Json;
  let node: Json = copy;
  for (const key of path.slice(0, -1)) node = (node as Record<string, unknown>)[key] as Json;
  const last = path.at(-1)!;
  if (value === DELETE) delete (node as Record<string, unknown>)[last];
  else (node as Record<string, unknown>)[last] = value;
  return copy;
}

const mutatedEvent = validEvent.chain((event) => {
  const all = paths(event);
  return fc
    .tuple(
      fc.constantFrom(...all),
      fc.oneof(oddValue, fc.constant(DELETE)),
      fc.constantFrom('replace', 'extra' as const),
    )
    .map(([path, value, how]) =>
      how === 'extra'
        ? withValue(event, [...path.slice(0, -1), 'extraField'], value)
        : withValue(event, path, value),
    );
});

describe('compileValidator', () => {
  test('compiled event validator - accepts every valid event of every type, as zod does', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        expect(zodAccepts(event)).toBe(true);
        expect(isValidEvent(event)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  test('compiled event validator - agrees with zod on events with one value replaced, removed or added', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(mutatedEvent, (event) => {
        const expected = zodAccepts(event);
        if (expected) accepted += 1;
        else rejected += 1;
        // zod's first issue in the comparison, so a failure names the field the two disagree on.
        const issue = eventSchema.safeParse(event).error?.issues[0];
        expect({ issue, compiled: isValidEvent(event) }).toEqual({ issue, compiled: expected });
      }),
      { numRuns: RUNS * 4 },
    );
    // Both answers must occur, or the property proved nothing about one side.
    expect(accepted).toBeGreaterThan(RUNS / 10);
    expect(rejected).toBeGreaterThan(RUNS / 10);
  });

  test('compiled event validator - agrees with zod on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect({ value, compiled: isValidEvent(value) }).toEqual({ value, compiled: zodAccepts(value) });
      }),
      { numRuns: RUNS },
    );
  });

  test('compileValidator - refuses a construct it cannot follow, naming its path', () => {
    expect(() => compileValidator(z.object({ when: z.object({ at: z.date() }) }))).toThrow(
      UnsupportedSchemaError,
    );
    expect(() => compileValidator(z.object({ when: z.object({ at: z.date() }) }))).toThrow(
      /'date' at when\.at/,
    );
    expect(() => compileValidator(z.strictObject({ a: z.number() }))).toThrow(/catchall/);
  });
});
