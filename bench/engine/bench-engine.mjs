#!/usr/bin/env node
/* global AbortController, console, process */
/**
 * Fidelity benchmark of the agent's engine: rigbench raw-mode pp/tg t/s next to a reference measured in the same
 * run, at 1 and 2 threads, as ratios. Run with `npm run bench:engine` (builds first; this file runs the compiled
 * engine from apps/agent/dist).
 *
 * Reference: llama.cpp's own `llama-bench` when `LLAMA_BENCH` names its binary, else an in-process low-level
 * node-llama-cpp loop (see reference-loop.mjs), labelled as such.
 *
 * Options (environment): BENCH_ROUNDS (default 3) interleaved rounds, the median round is reported;
 * BENCH_REPS (default 3) repetitions per round; BENCH_THREADS (default "1,2").
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureSynthModel } from '@rigbench/shared';
import { InferenceEngine } from '../../apps/agent/dist/engine/index.js';
import { referenceLoop } from './reference-loop.mjs';

const PROMPT = 512;
const GENERATED = 128;
const BATCH = 512;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const repetitions = Number(process.env.BENCH_REPS ?? 3);
const threadCounts = (process.env.BENCH_THREADS ?? '1,2').split(',').map(Number);
const llamaBench = process.env.LLAMA_BENCH;

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function benchCase(index, threads, test) {
  return {
    index,
    caseId: `${test.id}-t${threads}`,
    model: { id: 'synth-small', source: 'model' },
    backend: 'cpu',
    devices: [],
    gpuLayers: 0,
    contextSize: test.promptTokens + test.generatedTokens + 16,
    batchSize: BATCH,
    threads,
    flashAttention: false,
    kvCacheType: 'f16',
    workload: { mode: 'raw', test },
    generation: { maxTokens: 0, temperature: 0, seed: 1, ignoreEos: false },
    warmup: 1,
    repetitions,
  };
}

/** An engine whose workers use the given raw decoder; one per decoder so the backend probe runs once. */
function newEngine(modelPath, workerEnv = {}) {
  return new InferenceEngine({
    resolveModelPath: async () => modelPath,
    caseTimeoutMs: 600_000,
    hashCacheFile: path.join(os.tmpdir(), 'rigbench-bench-sha256.json'),
    workerEnv,
  });
}

/** rigbench through the real engine (worker process, IPC); returns mean pp and tg t/s over the repetitions. */
async function rigbench(engine, threads) {
  const cases = [
    benchCase(0, threads, { id: `pp${PROMPT}`, promptTokens: PROMPT, generatedTokens: 0, depth: 0 }),
    benchCase(1, threads, { id: `tg${GENERATED}`, promptTokens: 0, generatedTokens: GENERATED, depth: 0 }),
  ];
  const pp = [];
  const tg = [];
  for await (const event of engine.run(cases, new AbortController().signal)) {
    if (event.type === 'case.finished' && event.outcome !== 'ok')
      throw new Error(`${event.caseId}: ${event.reason}`);
    if (event.type !== 'sample.recorded') continue;
    if (event.sample.promptTokens > 0) pp.push(event.sample.promptTokensPerSecond);
    else tg.push(event.sample.decodeTokensPerSecond);
  }
  return { pp: mean(pp), tg: mean(tg) };
}

/** llama-bench's own figures (avg_ts: the mean of per-repetition t/s, as rigbench reports). */
async function runLlamaBench(modelPath, threads) {
  const args = ['-m', modelPath, '-p', String(PROMPT), '-n', String(GENERATED), '-t', String(threads)];
  args.push('-r', String(repetitions), '-b', String(BATCH), '-ub', String(BATCH), '-fa', '0', '-o', 'json');
  const { stdout } = await promisify(execFile)(llamaBench, args, { maxBuffer: 1 << 24 });
  const rows = JSON.parse(stdout);
  const pp = rows.find((r) => r.n_prompt > 0 && r.n_gen === 0);
  const tg = rows.find((r) => r.n_gen > 0 && r.n_prompt === 0);
  return { pp: pp.avg_ts, tg: tg.avg_ts, build: `${pp.build_commit} (${pp.build_number})` };
}

async function reference(modelPath, threads) {
  if (llamaBench) return runLlamaBench(modelPath, threads);
  const r = await referenceLoop({
    modelPath,
    threads,
    promptTokens: PROMPT,
    generatedTokens: GENERATED,
    batchSize: BATCH,
    repetitions,
    naive: false,
  });
  return { pp: mean(r.pp), tg: mean(r.tg) };
}

const fmt = (x) => x.toFixed(1).padStart(9);

async function main() {
  const modelPath = await ensureSynthModel(path.join(os.tmpdir(), 'rigbench-bench-models'), 'small', {
    type: 'q8_0',
  });
  const refLabel = llamaBench
    ? `llama-bench (${llamaBench})`
    : 'in-process node-llama-cpp low-level loop (NOT llama-bench; set LLAMA_BENCH=/path/to/llama-bench)';
  console.log(`model: ${modelPath} (synthetic small, q8_0)`);
  console.log(`reference: ${refLabel}`);
  console.log(
    `pp${PROMPT} / tg${GENERATED}, batch ${BATCH}, ${repetitions} repetitions + 1 warm-up, ${rounds} interleaved rounds (median)`,
  );
  console.log(
    `host: ${os.cpus()[0]?.model} x${os.cpus().length}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );

  const engine = newEngine(modelPath);
  const publicEngine = newEngine(modelPath, { RIGBENCH_RAW_DECODER: 'sequence' });
  const figures = {};
  for (const threads of threadCounts) figures[threads] = [];
  // Each round measures reference, rigbench and the public-API decoder back to back, so a round's ratio
  // compares figures taken under the same background load; the median round ratio is reported.
  for (let round = 0; round < rounds; round++) {
    for (const threads of threadCounts) {
      const ref = await reference(modelPath, threads);
      const rig = await rigbench(engine, threads);
      const pub = await rigbench(publicEngine, threads);
      figures[threads].push({ ref, rig, pub });
      if (ref.build && round === 0 && threads === threadCounts[0])
        console.log(`llama-bench build: ${ref.build}`);
      console.log(
        `  round ${round + 1} t=${threads} (load ${os.loadavg()[0].toFixed(1)}): reference pp ${ref.pp.toFixed(1)} ` +
          `tg ${ref.tg.toFixed(1)} | rigbench pp ${rig.pp.toFixed(1)} tg ${rig.tg.toFixed(1)} | ` +
          `public-API decoder pp ${pub.pp.toFixed(1)} tg ${pub.tg.toFixed(1)}`,
      );
    }
  }

  console.log('\nmedians over rounds (t/s); ratio = median of the per-round ratios');
  console.log('threads  test     reference   rigbench   ratio   public-API decoder   ratio');
  const best = { ref: { pp: 0, tg: 0 }, rig: { pp: 0, tg: 0 } };
  for (const threads of threadCounts) {
    for (const test of ['pp', 'tg']) {
      const rows = figures[threads];
      const ref = median(rows.map((f) => f.ref[test]));
      const rig = median(rows.map((f) => f.rig[test]));
      const pub = median(rows.map((f) => f.pub[test]));
      const rigRatio = median(rows.map((f) => f.rig[test] / f.ref[test]));
      const pubRatio = median(rows.map((f) => f.pub[test] / f.ref[test]));
      best.ref[test] = Math.max(best.ref[test], ref);
      best.rig[test] = Math.max(best.rig[test], rig);
      const name = test === 'pp' ? `pp${PROMPT}` : `tg${GENERATED}`;
      console.log(
        `${String(threads).padStart(7)}  ${name.padEnd(6)} ${fmt(ref)}  ${fmt(rig)}  ${rigRatio.toFixed(3).padStart(6)}` +
          `   ${fmt(pub)}            ${pubRatio.toFixed(3).padStart(6)}`,
      );
    }
  }
  for (const test of ['pp', 'tg'])
    console.log(
      `best-vs-best ${test}: rigbench ${best.rig[test].toFixed(1)} / reference ${best.ref[test].toFixed(1)} = ` +
        `${(best.rig[test] / best.ref[test]).toFixed(3)}`,
    );
}

await main();
