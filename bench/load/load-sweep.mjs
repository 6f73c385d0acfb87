#!/usr/bin/env node
/* global console, process */
/**
 * Serving-load sweep on this machine: N parallel sequences on one context, a closed-loop request stream at each
 * concurrency, per-request TTFT / ITL / end-to-end and goodput against SLOs, with vLLM `bench serve` names.
 * Runs the compiled load runner (apps/agent/dist/load): `npx tsc -b && node bench/load/load-sweep.mjs`.
 *
 * Environment: LOAD_MODEL (synth preset, default small), LOAD_LEVELS (default "1,2,4"), LOAD_REQUESTS per level
 * (default 8), LOAD_TOKENS output tokens (default 32), LOAD_THREADS (default 1), LOAD_SLO_TTFT_MS (default 2000),
 * LOAD_SLO_ITL_P90_MS (default 100), LOAD_HTML (where the saturation curve is written, default load-sweep.html).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { ensureSynthModel } from '@rigbench/shared';
import { runConcurrencySweep } from '../../apps/agent/dist/load/index.js';
import { loadCurveHtml } from '../../apps/controller/dist/load-report/index.js';

const env = process.env;
const levels = (env.LOAD_LEVELS ?? '1,2,4').split(',').map(Number);
const preset = env.LOAD_MODEL ?? 'small';
const slo = {
  ttftMs: Number(env.LOAD_SLO_TTFT_MS ?? 2000),
  itlP90Ms: Number(env.LOAD_SLO_ITL_P90_MS ?? 100),
};
const file = await ensureSynthModel(path.join(os.tmpdir(), 'rigbench-bench-models'), preset, {
  type: 'q8_0',
});
const threads = Number(env.LOAD_THREADS ?? 1);
const llama = await getLlama({
  gpu: false,
  build: 'never',
  skipDownload: true,
  maxThreads: threads,
  logLevel: LlamaLogLevel.error,
});
const model = await llama.loadModel({ modelPath: file });
const context = await model.createContext({
  contextSize: 4096,
  sequences: Math.max(...levels),
  threads,
  batchSize: 512,
});
const prompts = ['你好', '你觉得英伟达怎么样？', '你了解英伟达公司的1080显卡吗？'].map((t) =>
  model.tokenize(t),
);
const results = await runConcurrencySweep(context, levels, {
  requests: Number(env.LOAD_REQUESTS ?? 8),
  prompts,
  maxTokens: Number(env.LOAD_TOKENS ?? 32),
  slo,
});
const f = (v, d = 1) => (v === null ? '—' : v.toFixed(d));
console.log(
  `model synth ${preset} q8_0, cpu, ${threads} thread(s); SLO ttft ≤ ${slo.ttftMs} ms, itl p90 ≤ ${slo.itlP90Ms} ms`,
);
console.log(
  '| concurrency | request_throughput (req/s) | output_throughput (tok/s) | median_ttft_ms | p90_ttft_ms | median_itl_ms | p90_itl_ms | p99_itl_ms | median_e2el_ms | goodput (req/s) | slo attainment |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const { concurrency, summary: s } of results)
  console.log(
    `| ${concurrency} | ${f(s.request_throughput, 2)} | ${f(s.output_throughput)} | ${f(s.ttft.median)} | ${f(s.ttft.p90)} | ${f(s.itl.median, 2)} | ${f(s.itl.p90, 2)} | ${f(s.itl.p99, 2)} | ${f(s.e2el.median)} | ${f(s.goodput, 2)} | ${f(s.sloAttainment * 100, 0)}% |`,
  );
const html = env.LOAD_HTML ?? 'load-sweep.html';
writeFileSync(
  html,
  loadCurveHtml(
    results.map(({ concurrency, summary: s }) => ({
      concurrency,
      outputThroughput: s.output_throughput,
      p90TtftMs: s.ttft.p90,
      p90ItlMs: s.itl.p90,
      goodput: s.goodput,
    })),
    `Serving load: synth ${preset} q8_0, cpu, ${threads} thread(s)`,
    `SLO: TTFT ≤ ${slo.ttftMs} ms, ITL p90 ≤ ${slo.itlP90Ms} ms; closed loop, ${env.LOAD_REQUESTS ?? 8} requests per level.`,
  ),
);
console.log(`saturation curve: ${html}`);
await context.dispose();
await model.dispose();
await llama.dispose();
