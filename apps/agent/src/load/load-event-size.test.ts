import { describe, expect, test } from '@jest/globals';
import {
  EVENT_SCHEMA_VERSION,
  PLAN_LIMITS,
  parseEvent,
  type LatencySummary,
  type LoadLevelRecordedEvent,
  type LoadRequestRecord,
  type PhaseEnergy,
} from '@rigbench/shared';
import {
  LOAD_LEVEL_EVENT_OVERHEAD_BYTES,
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

  test('load event size - the overhead bound holds for the longest level without requests, energy included', () => {
    // Every number at its longest JSON form (17 significant digits), every id at the plan's length limit.
    const long = 1234567.890123456;
    const id = 'x'.repeat(PLAN_LIMITS.idLength);
    const latency: LatencySummary = { mean: long, median: long, p90: long, p99: long };
    const phase: PhaseEnergy = {
      seconds: long,
      joules: long,
      meanWatts: long,
      peakWatts: long,
      readings: 999_999,
      tokensPerJoule: long,
      tokensPerJouleAboveIdle: long,
    };
    const event: LoadLevelRecordedEvent = {
      v: EVENT_SCHEMA_VERSION,
      runId: id,
      agentId: id,
      seq: 999_999_999,
      time: new Date(0).toISOString(),
      type: 'load.level.recorded',
      // The case id names model, backend, devices, settings and the test: four plan ids and the axes.
      caseId: `c999-${id}-vulkan-d0,1,2,3-${id}-conc${PLAN_LIMITS.loadConcurrency.max}-${id}-${id}`,
      level: {
        testId: id,
        concurrency: PLAN_LIMITS.loadConcurrency.max,
        stream: 'poisson',
        arrivalRate: long,
        slo: { ttftMs: long, itlP90Ms: long, e2elMs: long },
        maxTokens: PLAN_LIMITS.maxTokens.max,
        threads: 999,
        summary: {
          completed: PLAN_LIMITS.loadRequests.max,
          durationSeconds: long,
          request_throughput: long,
          output_throughput: long,
          total_token_throughput: long,
          ttft: latency,
          tpot: latency,
          itl: latency,
          e2el: latency,
          goodput: long,
          sloAttainment: 0.1234567890123456,
        },
        requests: [],
        energy: {
          gpu: { idleWatts: long, level: phase },
          cpu: { idleWatts: long, level: phase },
          outputTokensPerJoule: long,
        },
      },
    };
    const json = JSON.stringify(event);
    expect(parseEvent(json)).toEqual(event);
    expect(json.length).toBeLessThanOrEqual(LOAD_LEVEL_EVENT_OVERHEAD_BYTES);
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
