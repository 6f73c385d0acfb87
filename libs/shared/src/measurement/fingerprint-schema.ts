import { z } from 'zod';
import type { AssertTrue, Equal } from '../events/type-equality.js';
import { BACKENDS, type Backend } from '../plan/plan-model.js';
import { DEVICE_KINDS } from './device-kind.js';
import type { Fingerprint, GpuFacts, ModelFacts, OffloadFacts } from './fingerprint.js';
import type { EnergySources } from './energy.js';

/**
 * The wire schema of a case's fingerprint (`case.started`). The documented types live in `fingerprint.ts`; the
 * assertions at the bottom keep the two one contract: a field added to the interface and not here (or the other
 * way round) fails to compile. Fields recorded only by newer agents are optional, so older events still parse.
 */

const nonNegative = z.number().nonnegative();
const count = z.number().int().nonnegative();

export const gpuFactsSchema = z.object({
  index: count,
  name: z.string(),
  // Reports mark software devices from this field: an unknown kind is an error, not a silent hardware GPU.
  kind: z.enum(DEVICE_KINDS).optional(),
  uuid: z.string().optional(),
  vramTotalBytes: nonNegative.optional(),
  vramUsedBytes: nonNegative.optional(),
  vramFreeBytes: nonNegative.optional(),
  driverVersion: z.string().optional(),
});

const gpuLayers = z.union([z.literal('max'), count]);

export const offloadFactsSchema = z.object({
  requestedLayers: gpuLayers,
  offloadedLayers: count,
  totalLayers: count,
  modelVramBytes: nonNegative.optional(),
  contextVramBytes: nonNegative.optional(),
});

export const modelFactsSchema = z.object({
  source: z.string(),
  sha256: z.string(),
  fileSizeBytes: nonNegative,
  architecture: z.string(),
  parameterCount: nonNegative.nullable(),
  quantization: z.string(),
  trainedContextSize: count.nullable(),
});

export const energySourcesSchema = z.object({
  gpu: z.string().nullable(),
  gpuUnavailable: z.string().nullable(),
  cpu: z.string().nullable(),
  cpuUnavailable: z.string().nullable(),
});

export const fingerprintSchema = z.object({
  rigbenchVersion: z.string(),
  nodeLlamaCppVersion: z.string(),
  llamaCppRelease: z.string(),
  backend: z.enum(BACKENDS),
  gpus: z.array(gpuFactsSchema),
  offload: offloadFactsSchema.optional(),
  driverVersion: z.string().nullable(),
  cpuModel: z.string(),
  cpuCores: z.object({ physical: count, logical: count }),
  os: z.string(),
  kernel: z.string(),
  nodeVersion: z.string(),
  hostname: z.string(),
  model: modelFactsSchema,
  threads: count,
  batchSize: count,
  contextSize: count,
  gpuLayers,
  flashAttention: z.boolean(),
  kvCacheType: z.string(),
  workerUvThreadpoolSize: count.optional(),
  llamaBuild: z.object({ type: z.enum(['prebuilt', 'localBuild']), systemInfo: z.string() }).optional(),
  energySources: energySourcesSchema.optional(),
  threadPool: z
    .discriminatedUnion('mode', [
      z.object({ mode: z.literal('attached'), threads: count, poll: count }),
      z.object({ mode: z.literal('per-graph'), reason: z.string() }),
    ])
    .optional(),
});

/** Compile-time checks: each schema infers exactly its documented type (both ways). */
export type FingerprintSchemaChecks = [
  AssertTrue<Equal<z.infer<typeof gpuFactsSchema>, GpuFacts>>,
  AssertTrue<Equal<z.infer<typeof offloadFactsSchema>, OffloadFacts>>,
  AssertTrue<Equal<z.infer<typeof modelFactsSchema>, ModelFacts>>,
  AssertTrue<Equal<z.infer<typeof energySourcesSchema>, EnergySources>>,
  AssertTrue<Equal<z.infer<typeof fingerprintSchema>['backend'], Backend>>,
  AssertTrue<Equal<z.infer<typeof fingerprintSchema>, Fingerprint>>,
];
