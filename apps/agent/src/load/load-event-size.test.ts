import { describe, expect, test } from '@jest/globals';
import { PLAN_LIMITS, type LoadRequestRecord } from '@rigbench/shared';
import {
  LOAD_REQUEST_RECORD_MAX_BYTES,
  loadLevelEventMaxBytes,
  oversizedLoadTests,
} from './load-event-size.js';
import { requestRecords } from './load-stats.js';

describe('load event size', () => {
  test('load event size - the per-request bound holds for the longest figures a record can carry', () => {
    // Latencies rounded to microseconds (requestRecords), up to about 11 days, token counts at the plan's limits.
    const longMs = 999_999_999.999;
    const worst: LoadRequestRecord = {
      arrivalMs: longMs,
      ttftMs: longMs,
      e2elMs: longMs,
      promptTokens: PLAN_LIMITS.contextSize.max,
      outputTokens: PLAN_LIMITS.maxTokens.max,
      itlMs: { p50: longMs, p90: longMs, p99: longMs },
      metSlo: false,
    };
    // +1: the comma between records.
    expect(JSON.stringify(worst).length + 1).toBeLessThanOrEqual(LOAD_REQUEST_RECORD_MAX_BYTES);
    // requestRecords really rounds to microseconds.
    const [r] = requestRecords([
      {
        arrivalMs: 0.1234567,
        startMs: 0.2,
        firstTokenMs: 10.98765432,
        lastTokenMs: 20.55555555,
        promptTokens: 3,
        outputTokens: 2,
        gapsMs: [9.56789012],
      },
    ]);
    expect(r).toMatchObject({ arrivalMs: 0, ttftMs: 10.864, e2elMs: 20.432, itlMs: { p50: 9.568 } });
  });

  test('load event size - tests whose levels could not travel are named, with their bound', () => {
    expect(loadLevelEventMaxBytes({ requests: 10 })).toBe(4096 + 10 * LOAD_REQUEST_RECORD_MAX_BYTES);
    // A duration-bounded level may send up to the plan's request limit.
    expect(loadLevelEventMaxBytes({})).toBe(
      4096 + PLAN_LIMITS.loadRequests.max * LOAD_REQUEST_RECORD_MAX_BYTES,
    );
    const plan = {
      prompts: {
        chat: [],
        raw: [],
        load: [
          { id: 'small', concurrency: [1], requests: 8, prompts: ['hi'], maxTokens: 8 },
          { id: 'timed', concurrency: [1], durationSeconds: 60, prompts: ['hi'], maxTokens: 8 },
        ],
      },
    };
    // 64 KiB less headers, as a NATS server with max_payload 65536 allows.
    expect(oversizedLoadTests(plan, 65536 - 1024)).toEqual([
      { index: 1, id: 'timed', bytes: 4096 + 1000 * LOAD_REQUEST_RECORD_MAX_BYTES },
    ]);
    expect(oversizedLoadTests(plan, 1024 * 1024)).toEqual([]);
  });
});
