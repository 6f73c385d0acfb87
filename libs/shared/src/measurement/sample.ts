import { z } from 'zod';
import { sampleEnergySchema } from './energy-schema.js';

/**
 * The one definition of a measured sample. `sampleSchema` is the source: the {@link Sample} type is inferred from
 * it, the event parser's fast validator is compiled from it (`events/compile-validator.ts`), and the controller's
 * `samples` table columns are derived from it (`apps/controller/src/store/sample-columns.ts`).
 *
 * Adding a sample field:
 * 1. add it here, `.optional()` (agents of the same event schema version that predate it do not send it), with
 *    a TSDoc line giving its unit;
 * 2. append a store migration adding its column (`apps/controller/src/store/store-schema.ts`); the column name
 *    and type follow from the field, and a store opened without that migration is refused with the exact
 *    `ALTER TABLE` to append (`sample-columns.ts`).
 * Nothing else: the type, the validator, the INSERT and the SELECT follow.
 */

export const FINISH_REASONS = ['maxTokens', 'eos', 'stopped', 'completed'] as const;
/** `completed` is a raw test that ran all its tokens. */
export type FinishReason = (typeof FINISH_REASONS)[number];

const nonNegative = z.number().nonnegative();
const count = z.number().int().nonnegative();

/** One measured repetition of a case. Times are in seconds, sizes in bytes, rates in tokens per second. */
export const sampleSchema = z.object({
  caseId: z.string().min(1),
  /** 0-based measured repetition (warm-up runs are never recorded). */
  repetition: count,
  mode: z.enum(['chat', 'raw']),
  /** Wall-clock start of the repetition, ISO 8601. */
  startedAt: z.string(),
  /** Load time of the model instance that produced this sample (shared by every case of its worker group). */
  modelLoadSeconds: nonNegative,
  promptTokens: nonNegative,
  promptSeconds: nonNegative,
  promptTokensPerSecond: nonNegative,
  /** Prompt start until the first generated token is available; null when nothing was generated. */
  ttftSeconds: nonNegative.nullable(),
  generatedTokens: nonNegative,
  /** First generated token until the last one: `generatedTokens - 1` intervals. */
  decodeSeconds: nonNegative,
  /** `(generatedTokens - 1) / decodeSeconds` for chat; `generatedTokens / decodeSeconds` for raw tg. */
  decodeTokensPerSecond: nonNegative,
  /** Inter-token latency percentiles, in seconds; null with fewer than two generated tokens. */
  interTokenLatency: z.object({ p50: nonNegative, p90: nonNegative, p99: nonNegative }).nullable(),
  endToEndSeconds: nonNegative,
  /** Device memory where the backend reports it; null on CPU. */
  vram: z.object({ beforeBytes: nonNegative, peakBytes: nonNegative, afterBytes: nonNegative }).nullable(),
  workerPeakRssBytes: nonNegative,
  /** Threads actually passed to llama.cpp. */
  threads: count,
  /** Batch size actually used. */
  batchSize: count,
  finishReason: z.enum(FINISH_REASONS),
  /** Power and energy per phase; null when no power source was readable, absent in older samples. */
  energy: sampleEnergySchema.nullable().optional(),
});

/** One measured repetition of a case (inferred from {@link sampleSchema}). */
export type Sample = z.infer<typeof sampleSchema>;
