#!/usr/bin/env node
/* global AbortController, console, process */
/**
 * One raw tg case through the real engine (worker process, IPC), to look at with a tracer:
 *
 *   npx tsc -b && strace -f -qq -c -e trace=clone3,clone node bench/engine/trace-decode.mjs 2 1 100
 *   node bench/engine/trace-decode.mjs THREADS UV_THREADPOOL_SIZE GENERATED_TOKENS [attached|per-graph]
 *
 * Prints t/s and the inter-token latency p50/p90 of each of 3 repetitions (after 1 warm-up), on the synthetic small
 * model (q8_0). With libuv's default pool (UV 4) at 2 threads, p90 shows the scheduler-tick stalls that
 * UV_THREADPOOL_SIZE=1 removes (docs/measurement.md, "Threads").
 */
import os from 'node:os';
import path from 'node:path';
import { ensureSynthModel } from '@rigbench/shared';
import { InferenceEngine } from '../../apps/agent/dist/engine/index.js';
import { rawCpuCase } from './raw-case.mjs';

const [threads, uv, generated] = [2, 1, 100].map((fallback, i) => Number(process.argv[2 + i] ?? fallback));
const threadPool = process.argv[5] ?? 'per-graph';
const modelPath = await ensureSynthModel(path.join(os.tmpdir(), 'rigbench-bench-models'), 'small', {
  type: 'q8_0',
});
const engine = new InferenceEngine({
  resolveModelPath: async () => modelPath,
  caseTimeoutMs: 600_000,
  workerUvThreadpoolSize: uv,
  energy: false,
  threadPool: { mode: threadPool, nativeDir: path.join(os.tmpdir(), 'rigbench-bench-native') },
});
const test = { id: 'tg', promptTokens: 0, generatedTokens: generated, depth: 0 };
// contextSize = tg + 1, as before: one spare cell.
const benchCase = rawCpuCase({
  caseId: 'tg',
  model: { id: 'small', source: 'small' },
  threads,
  test,
  repetitions: 3,
  spareCells: 1,
});
const ms = (seconds) => (seconds * 1000).toFixed(2);
for await (const event of engine.run([benchCase], new AbortController().signal)) {
  if (event.type === 'sample.recorded') {
    const { decodeTokensPerSecond: tps, interTokenLatency: itl } = event.sample;
    console.log(
      `threads ${threads} UV_THREADPOOL_SIZE ${uv} ${threadPool} tg${generated}: ${tps.toFixed(1)} t/s, ` +
        `ITL p50 ${ms(itl?.p50 ?? NaN)} ms p90 ${ms(itl?.p90 ?? NaN)} ms`,
    );
  }
  if (event.type === 'case.finished' && event.outcome !== 'ok')
    console.log(`${event.outcome}: ${event.reason}`);
}
