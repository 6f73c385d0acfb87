import { describe, expect, test } from '@jest/globals';
import {
  arrivalSchedule,
  meetsSlo,
  summarizeLatency,
  summarizeLoad,
  type RequestTiming,
} from './load-stats.js';

const request = (
  arrivalMs: number,
  firstTokenMs: number,
  gapsMs: number[],
  promptTokens = 10,
): RequestTiming => ({
  arrivalMs,
  startMs: arrivalMs,
  firstTokenMs,
  lastTokenMs: firstTokenMs + gapsMs.reduce((s, g) => s + g, 0),
  promptTokens,
  outputTokens: gapsMs.length + 1,
  gapsMs,
});

describe('load stats', () => {
  test('summarizeLoad - throughput over the wall span, TTFT and E2EL from arrival, TPOT per request, every ITL', () => {
    // Two requests: 0→100 first token, 4 gaps of 50 ms (ends 300); 100→400 first token, 4 gaps of 100 ms (ends 800).
    const rs = [request(0, 100, [50, 50, 50, 50]), request(100, 400, [100, 100, 100, 100])];
    const s = summarizeLoad(rs, { ttftMs: 200 });
    expect(s.completed).toBe(2);
    expect(s.durationSeconds).toBeCloseTo(0.8, 12);
    expect(s.request_throughput).toBeCloseTo(2 / 0.8, 12);
    expect(s.output_throughput).toBeCloseTo(10 / 0.8, 12);
    expect(s.total_token_throughput).toBeCloseTo(30 / 0.8, 12);
    expect(s.ttft).toEqual({ mean: 200, median: 100, p90: 300, p99: 300 });
    expect(s.tpot.mean).toBeCloseTo(75, 12);
    expect(s.itl).toMatchObject({ median: 50, p90: 100, p99: 100 });
    expect(s.e2el).toMatchObject({ median: 300, p99: 700 });
    // Only the first request met TTFT ≤ 200 ms.
    expect(s.goodput).toBeCloseTo(1 / 0.8, 12);
    expect(s.sloAttainment).toBe(0.5);
    expect(summarizeLoad(rs).goodput).toBeNull();
  });

  test('meetsSlo - every SLO set must hold; a request without tokens never meets them', () => {
    const r = request(0, 100, [10, 10, 10, 10, 10, 10, 10, 10, 10, 200]);
    expect(meetsSlo(r, { ttftMs: 100 })).toBe(true);
    expect(meetsSlo(r, { ttftMs: 99 })).toBe(false);
    // p90 of the ten gaps (nearest rank: the 9th smallest) is 10 ms; the one 200 ms gap is the p99.
    expect(meetsSlo(r, { itlP90Ms: 10 })).toBe(true);
    expect(meetsSlo(r, { e2elMs: 389 })).toBe(false);
    expect(meetsSlo({ ...r, firstTokenMs: null, lastTokenMs: null }, {})).toBe(false);
  });

  test('arrivalSchedule - closed loop arrives at once; Poisson has the asked mean rate and is seeded', () => {
    expect(arrivalSchedule(3, { kind: 'concurrency' })).toEqual([0, 0, 0]);
    const a = arrivalSchedule(4000, { kind: 'poisson', ratePerSecond: 20, seed: 7 });
    const meanGapMs = a.at(-1)! / (a.length - 1);
    expect(meanGapMs).toBeGreaterThan(45);
    expect(meanGapMs).toBeLessThan(55);
    expect(arrivalSchedule(5, { kind: 'poisson', ratePerSecond: 20, seed: 7 })).toEqual(a.slice(0, 5));
    expect(() => arrivalSchedule(1, { kind: 'poisson', ratePerSecond: 0, seed: 1 })).toThrow(/ratePerSecond/);
    expect(summarizeLatency([])).toEqual({ mean: null, median: null, p90: null, p99: null });
  });
});
