/**
 * The `load.level.recorded` event: one level of a serving-load case (a plan `load` test at one concurrency),
 * published between the case's `case.started` and `case.finished`. Kept apart from the other event types so the
 * load test kind adds to the event schema without touching it.
 */
import { z } from 'zod';
import { EVENT_SCHEMA_VERSION } from './event-types.js';

export type { LoadLevelRecordedEvent } from './event-types.js';

const nonNegative = z.number().finite().nonnegative();
const token = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only');
const latency = z.object({
  mean: nonNegative.nullable(),
  median: nonNegative.nullable(),
  p90: nonNegative.nullable(),
  p99: nonNegative.nullable(),
});

const request = z.looseObject({
  arrivalMs: nonNegative,
  ttftMs: nonNegative.nullable(),
  e2elMs: nonNegative.nullable(),
  promptTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  itlMs: z.object({ p50: nonNegative, p90: nonNegative, p99: nonNegative }).nullable(),
  metSlo: z.boolean().nullable(),
});

/** The event's zod schema (a member of the event union in `parse-event.ts`). */
export const loadLevelEventSchema = z.looseObject({
  v: z.literal(EVENT_SCHEMA_VERSION),
  runId: token,
  agentId: token,
  seq: z.number().int().positive(),
  time: z.string().min(1),
  type: z.literal('load.level.recorded'),
  caseId: z.string().min(1),
  level: z.looseObject({
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
    threads: z.number().int().nonnegative(),
    summary: z.looseObject({
      completed: z.number().int().nonnegative(),
      durationSeconds: nonNegative,
      request_throughput: nonNegative,
      output_throughput: nonNegative,
      total_token_throughput: nonNegative,
      ttft: latency,
      tpot: latency,
      itl: latency,
      e2el: latency,
      goodput: nonNegative.nullable(),
      sloAttainment: z.number().min(0).max(1).nullable(),
    }),
    requests: z.array(request),
  }),
});
