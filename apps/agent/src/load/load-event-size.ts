/**
 * How large a `load.level.recorded` event a plan's load test can make, so a plan whose levels could not travel
 * as events (the NATS server's `max_payload`) is refused at StartRun, before any work, as `run.accepted` is.
 */
import { PLAN_LIMITS, type BenchPlan } from '@rigbench/shared';

/**
 * Upper bound of one request's JSON in the event and its separating comma: six latencies of at most 13
 * characters (milliseconds to three decimals, up to about 11 days), two token counts, the key names and
 * punctuation (205 bytes at most; load-event-size.test.ts measures it).
 */
export const LOAD_REQUEST_RECORD_MAX_BYTES = 240;
/** Upper bound of the rest of the event: envelope, case id, settings, SLOs and the summary. */
export const LOAD_LEVEL_EVENT_OVERHEAD_BYTES = 4096;

/** The largest event any level of the test can make, in bytes. */
export function loadLevelEventMaxBytes(test: { requests?: number }): number {
  const requests = test.requests ?? PLAN_LIMITS.loadRequests.max;
  return LOAD_LEVEL_EVENT_OVERHEAD_BYTES + requests * LOAD_REQUEST_RECORD_MAX_BYTES;
}

/** The plan's load tests whose level events could exceed `maxEventBytes`, with the bound. */
export function oversizedLoadTests(
  plan: Pick<BenchPlan, 'prompts'>,
  maxEventBytes: number,
): Array<{ index: number; id: string; bytes: number }> {
  return (plan.prompts.load ?? [])
    .map((test, index) => ({ index, id: test.id, bytes: loadLevelEventMaxBytes(test) }))
    .filter((t) => t.bytes > maxEventBytes);
}

/** {@link oversizedLoadTests} as StartRun violations, each naming the plan field (`prompts.load[i].requests`). */
export function loadEventViolations(
  plan: Pick<BenchPlan, 'prompts'>,
  maxEventBytes: number,
): Array<{ path: string; message: string }> {
  return oversizedLoadTests(plan, maxEventBytes).map((t) => ({
    path: `prompts.load[${t.index}].requests`,
    message:
      `load test "${t.id}" could make a level event of up to ${t.bytes} bytes; events may be at most ` +
      `${maxEventBytes} bytes (the NATS server's max_payload less headers): send fewer requests per level`,
  }));
}
