/** Real inference in this process on the tiny synthetic model: a concurrency sweep and a Poisson stream. */
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import {
  getLlama,
  LlamaLogLevel,
  type Llama,
  type LlamaContext,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import { ensureSynthModel } from '@rigbench/shared';
import { runConcurrencySweep, runLoadLevel, type LoadLevelResult } from './load-runner.js';

let llama: Llama;
let model: LlamaModel;
let context: LlamaContext;
let prompts: Token[][];

beforeAll(async () => {
  const file = await ensureSynthModel(path.join(os.tmpdir(), 'rigbench-test-models'), 'tiny', {
    type: 'q8_0',
  });
  llama = await getLlama({
    gpu: false,
    build: 'never',
    skipDownload: true,
    maxThreads: 1,
    logLevel: LlamaLogLevel.error,
  });
  model = await llama.loadModel({ modelPath: file });
  context = await model.createContext({ contextSize: 2048, sequences: 4, threads: 1, batchSize: 256 });
  prompts = ['hello', 'what do you think of GPUs?', 'tell me about the 1080'].map((t) => model.tokenize(t));
}, 120_000);

afterAll(async () => {
  await context?.dispose();
  await model?.dispose();
  await llama?.dispose();
});

/** Most requests in flight at once (between start and last token). */
function maxInFlight(level: LoadLevelResult): number {
  const edges = level.requests.flatMap((r) => [
    { at: r.startMs, d: 1 },
    { at: r.lastTokenMs!, d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.d));
  return most;
}

test('load - a concurrency sweep (1, 2, 4) on one 4-sequence context: every request answered, goodput against SLOs', async () => {
  const levels = await runConcurrencySweep(context, [1, 2, 4], {
    requests: 8,
    prompts,
    maxTokens: 12,
    slo: { ttftMs: 60_000, itlP90Ms: 60_000 },
  });
  expect(levels.map((l) => l.concurrency)).toEqual([1, 2, 4]);
  for (const level of levels) {
    const s = level.summary;
    expect(s.completed).toBe(8);
    expect(level.requests.every((r) => r.outputTokens === 12 && r.gapsMs.length === 11)).toBe(true);
    expect(maxInFlight(level)).toBeLessThanOrEqual(level.concurrency);
    expect(s.output_throughput).toBeCloseTo((8 * 12) / s.durationSeconds, 9);
    expect(s.ttft.median!).toBeGreaterThan(0);
    expect(s.ttft.p99!).toBeLessThanOrEqual(s.e2el.p99!);
    // Generous SLOs: every request is good, so goodput is the request throughput.
    expect(s.goodput).toBeCloseTo(s.request_throughput, 9);
    expect(s.sloAttainment).toBe(1);
  }
  // With 4 in flight, requests really overlap (they are decoded together in one batch).
  expect(maxInFlight(levels[2]!)).toBeGreaterThan(1);
}, 300_000);

test('load - a Poisson request stream: latencies count from arrival, an impossible SLO gives zero goodput', async () => {
  const level = await runLoadLevel(context, {
    concurrency: 2,
    requests: 6,
    prompts,
    maxTokens: 8,
    stream: { kind: 'poisson', ratePerSecond: 50, seed: 3 },
    slo: { ttftMs: 0.001 },
  });
  expect(level.summary.completed).toBe(6);
  for (const r of level.requests) expect(r.startMs).toBeGreaterThanOrEqual(r.arrivalMs);
  expect(level.summary.goodput).toBe(0);
  expect(level.summary.sloAttainment).toBe(0);
  await expect(runLoadLevel(context, { concurrency: 5, requests: 1, prompts, maxTokens: 1 })).rejects.toThrow(
    /concurrency 5 needs as many sequences; the context has 4/,
  );
}, 300_000);

test('load - a duration-bounded level sends requests only until the deadline; those sent run to the end', async () => {
  const level = await runLoadLevel(context, {
    concurrency: 2,
    requests: 1000,
    durationMs: 300,
    prompts,
    maxTokens: 4,
  });
  const first = Math.min(...level.requests.map((r) => r.arrivalMs));
  expect(level.summary.completed).toBe(level.requests.length);
  expect(level.requests.length).toBeGreaterThanOrEqual(1);
  expect(level.requests.length).toBeLessThan(1000);
  for (const r of level.requests) {
    // Closed loop: a request's arrival is when it was sent, the same reading the deadline was checked with.
    expect(r.arrivalMs - first).toBeLessThan(300);
    expect(r.outputTokens).toBe(4);
  }
}, 300_000);
