#!/usr/bin/env node
/* global AbortController, console, process */
/**
 * Fidelity benchmark of the agent's engine: rigbench raw-mode pp/tg t/s next to a reference measured in the same
 * run, at every thread count from 1 to the machine's logical cores, as ratios. Run with `npm run bench:engine`
 * (builds first; this file runs the compiled engine from apps/agent/dist).
 *
 * Reference: llama.cpp's own `llama-bench` when `LLAMA_BENCH` names its binary (build one on node-llama-cpp's
 * prebuilt libraries with `bash bench/engine/build-llama-bench.sh`), else an in-process low-level node-llama-cpp
 * loop (see reference-loop.mjs), labelled as such.
 *
 * Measured back to back in every round, for every thread count: the reference, rigbench as shipped (`rig`:
 * `UV_THREADPOOL_SIZE=1` in the worker and a persistent ggml thread pool attached to each context, the agent's
 * `worker.threadPool: auto`), unless BENCH_PER_GRAPH=0 the same without the pool (`pg`: ggml's threads created per
 * graph, node-llama-cpp's own way) and, with BENCH_UV4=1, per-graph with libuv's default pool of four threads
 * (`uv4`, the configuration before both fixes).
 *
 * Options (environment): BENCH_PRESETS (default "small,large": the overhead-bound small model and the realistic
 * large one, tens of t/s like the seed's cards); BENCH_ROUNDS (default 3) interleaved rounds; BENCH_REPS (default 3)
 * repetitions per round; BENCH_THREADS (default 1..logical cores); BENCH_PROMPT / BENCH_GEN (default 512 / 128 for
 * small, 128 / 32 for large) tokens of the pp and tg tests; BENCH_PUBLIC=1 adds the public-API decoder.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureSynthModel } from '@rigbench/shared';
import { InferenceEngine } from '../../apps/agent/dist/engine/index.js';
import { rawCpuCase } from './raw-case.mjs';
import { referenceLoop } from './reference-loop.mjs';

const BATCH = 512;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const repetitions = Number(process.env.BENCH_REPS ?? 3);
const logicalCores = os.availableParallelism();
const threadCounts = (process.env.BENCH_THREADS ?? range(1, logicalCores).join(',')).split(',').map(Number);
const presets = (process.env.BENCH_PRESETS ?? 'small,large').split(',');
const llamaBench = process.env.LLAMA_BENCH;
const withUv4 = process.env.BENCH_UV4 === '1';
const withPerGraph = process.env.BENCH_PER_GRAPH !== '0';
/** Where `rig` builds the thread-pool shim (once per llama.cpp release). */
const nativeDir = path.join(os.tmpdir(), 'rigbench-bench-native');
const withPublic = process.env.BENCH_PUBLIC === '1';
/** Test sizes per preset: the large model decodes at tens of t/s, so its tests are shorter. */
const SIZES = { tiny: [512, 128], small: [512, 128], medium: [512, 128], large: [128, 32] };
/** A round's reference medians spread more than this (max/min − 1): the box was too noisy to conclude. */
const NOISE_LIMIT = 0.1;

function range(from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = () => os.loadavg()[0];

function sizesOf(preset) {
  const [prompt, gen] = SIZES[preset] ?? SIZES.small;
  return { prompt: Number(process.env.BENCH_PROMPT ?? prompt), gen: Number(process.env.BENCH_GEN ?? gen) };
}

function benchCase(index, preset, threads, test, spareCells) {
  return rawCpuCase({
    index,
    caseId: `${preset}-${test.id}-t${threads}`,
    model: { id: `synth-${preset}`, source: preset },
    threads,
    test,
    batchSize: BATCH,
    repetitions,
    spareCells,
  });
}

/** One engine per configuration, so each backend probe runs once; `source` is the preset name. */
function newEngine(modelPaths, { workerEnv = {}, uvThreadpoolSize, threadPool = 'per-graph' } = {}) {
  return new InferenceEngine({
    resolveModelPath: async (source) => modelPaths[source],
    caseTimeoutMs: 1_200_000,
    hashCacheFile: path.join(os.tmpdir(), 'rigbench-bench-sha256.json'),
    workerEnv,
    // No power sampling: its idle baseline and polling are not what this benchmark measures.
    energy: false,
    ...(uvThreadpoolSize != null ? { workerUvThreadpoolSize: uvThreadpoolSize } : {}),
    threadPool: { mode: threadPool, nativeDir },
  });
}

/** The thread pools each engine's fingerprints reported (printed at the end, so a variant is what it says). */
const poolsSeen = new Map();

/** rigbench through the real engine (worker process, IPC); returns the pp and tg t/s of every repetition. */
async function rigbench(engine, preset, threads, spareCells = 0) {
  const { prompt, gen } = sizesOf(preset);
  const cases = [
    benchCase(
      0,
      preset,
      threads,
      { id: `pp${prompt}`, promptTokens: prompt, generatedTokens: 0, depth: 0 },
      spareCells,
    ),
    benchCase(
      1,
      preset,
      threads,
      { id: `tg${gen}`, promptTokens: 0, generatedTokens: gen, depth: 0 },
      spareCells,
    ),
  ];
  const pp = [];
  const tg = [];
  const pools = new Set();
  for await (const event of engine.run(cases, new AbortController().signal)) {
    if (event.type === 'case.started') {
      const pool = event.fingerprint.threadPool;
      pools.add(pool?.mode === 'attached' ? `attached(${pool.threads})` : `per-graph: ${pool?.reason}`);
    }
    if (event.type === 'case.finished' && event.outcome !== 'ok')
      throw new Error(`${event.caseId}: ${event.reason}`);
    if (event.type !== 'sample.recorded') continue;
    if (event.sample.promptTokens > 0) pp.push(event.sample.promptTokensPerSecond);
    else tg.push(event.sample.decodeTokensPerSecond);
  }
  poolsSeen.set(engine, new Set([...(poolsSeen.get(engine) ?? []), ...pools]));
  return { pp, tg };
}

/** llama-bench's own figures: `samples_ts`, the t/s of every repetition (its avg_ts is their mean). */
async function runLlamaBench(modelPath, preset, threads) {
  const { prompt, gen } = sizesOf(preset);
  const args = ['-m', modelPath, '-p', String(prompt), '-n', String(gen), '-t', String(threads)];
  args.push('-r', String(repetitions), '-b', String(BATCH), '-ub', String(BATCH), '-fa', '0', '-o', 'json');
  const { stdout } = await promisify(execFile)(llamaBench, args, { maxBuffer: 1 << 24 });
  const rows = JSON.parse(stdout);
  const pp = rows.find((r) => r.n_prompt > 0 && r.n_gen === 0);
  const tg = rows.find((r) => r.n_gen > 0 && r.n_prompt === 0);
  return { pp: pp.samples_ts, tg: tg.samples_ts, build: `${pp.build_commit} (${pp.build_number})` };
}

async function reference(modelPath, preset, threads) {
  if (llamaBench) return runLlamaBench(modelPath, preset, threads);
  const { prompt, gen } = sizesOf(preset);
  const r = await referenceLoop({
    modelPath,
    threads,
    promptTokens: prompt,
    generatedTokens: gen,
    batchSize: BATCH,
    repetitions,
    naive: false,
  });
  return { pp: r.pp, tg: r.tg };
}

const fmt = (x) => x.toFixed(1).padStart(9);

/** Everything measured for one preset: reference and variants, per thread count and test, every repetition. */
async function measurePreset(preset, modelPath, engines) {
  const who = ['ref', ...Object.keys(engines)];
  const figures = {};
  const roundMedians = {};
  for (const threads of threadCounts) {
    figures[threads] = Object.fromEntries(who.map((w) => [w, { pp: [], tg: [] }]));
    roundMedians[threads] = { pp: [], tg: [] };
  }
  let maxLoad = load();
  // Reference and variants are measured back to back in every round, so background load hits all alike. On a
  // shared machine the best repetition is the figure least touched by other processes; the median the typical.
  for (let round = 0; round < rounds; round++) {
    for (const threads of threadCounts) {
      const measured = { ref: await reference(modelPath, preset, threads) };
      for (const [name, { engine, spareCells }] of Object.entries(engines))
        measured[name] = await rigbench(engine, preset, threads, spareCells);
      maxLoad = Math.max(maxLoad, load());
      const line = [];
      for (const w of who) {
        for (const test of ['pp', 'tg']) figures[threads][w][test].push(...measured[w][test]);
        line.push(`${w} pp ${median(measured[w].pp).toFixed(1)} tg ${median(measured[w].tg).toFixed(1)}`);
      }
      for (const test of ['pp', 'tg']) roundMedians[threads][test].push(median(measured.ref[test]));
      console.log(`  round ${round + 1} t=${threads} (load ${load().toFixed(2)}): ${line.join(' | ')}`);
    }
  }
  return { who, figures, roundMedians, maxLoad };
}

function printPreset(preset, { who, figures, roundMedians, maxLoad }) {
  const { prompt, gen } = sizesOf(preset);
  const variants = who.filter((w) => w !== 'ref');
  console.log(
    `\n${preset}: t/s, best | median over ${rounds} rounds x ${repetitions} repetitions; ratio = x / ref`,
  );
  const head = variants.map((w) => `${w.padStart(9)}  ratio`).join('  ');
  console.log(`threads  test     ${'ref'.padStart(9)}  ${head} | ${'ref'.padStart(9)}  ${head}`);
  const best = Object.fromEntries(who.map((w) => [w, { pp: [0, 0], tg: [0, 0] }]));
  const noisy = [];
  for (const threads of threadCounts) {
    for (const test of ['pp', 'tg']) {
      const f = figures[threads];
      const cols = (get) =>
        `${fmt(get('ref'))}  ${variants.map((w) => `${fmt(get(w))}  ${(get(w) / get('ref')).toFixed(3)}`).join('  ')}`;
      const top = (w) => Math.max(...f[w][test]);
      const mid = (w) => median(f[w][test]);
      for (const w of who) if (top(w) > best[w][test][0]) best[w][test] = [top(w), threads];
      const name = test === 'pp' ? `pp${prompt}` : `tg${gen}`;
      console.log(`${String(threads).padStart(7)}  ${name.padEnd(6)} ${cols(top)} | ${cols(mid)}`);
      const ms = roundMedians[threads][test];
      const spread = Math.max(...ms) / Math.min(...ms) - 1;
      if (spread > NOISE_LIMIT)
        noisy.push(`${name} t=${threads}: reference moved ${(spread * 100).toFixed(0)}% between rounds`);
    }
  }
  for (const test of ['pp', 'tg']) {
    const [ref, refThreads] = best.ref[test];
    const parts = variants.map((w) => {
      const [value, threads] = best[w][test];
      return `${w} ${value.toFixed(1)} at t=${threads} (${(value / ref).toFixed(3)})`;
    });
    console.log(`best-vs-best ${test}: reference ${ref.toFixed(1)} at t=${refThreads}; ${parts.join('; ')}`);
  }
  // The load average counts this benchmark's own threads (up to the thread count measured), so only load beyond
  // the cores marks other work; the reference's own spread between rounds is the direct sign of noise.
  if (maxLoad > logicalCores + 0.5)
    noisy.push(
      `load average reached ${maxLoad.toFixed(2)} on ${logicalCores} cores (other work was running)`,
    );
  console.log(
    noisy.length > 0
      ? `TOO NOISY TO CONCLUDE for ${preset}: ${noisy.join('; ')}. Re-run on a quiet machine.`
      : `${preset}: quiet enough (reference within ${NOISE_LIMIT * 100}% between rounds, peak load ${maxLoad.toFixed(2)}).`,
  );
}

async function main() {
  const dir = path.join(os.tmpdir(), 'rigbench-bench-models');
  const modelPaths = {};
  for (const preset of presets) modelPaths[preset] = await ensureSynthModel(dir, preset, { type: 'q8_0' });
  const refLabel = llamaBench
    ? `llama-bench (${llamaBench})`
    : 'in-process node-llama-cpp low-level loop (NOT llama-bench; set LLAMA_BENCH, see build-llama-bench.sh)';
  console.log(`models: ${presets.map((p) => `${p} ${modelPaths[p]}`).join(', ')} (synthetic, q8_0)`);
  console.log(`reference: ${refLabel}`);
  console.log(
    `threads ${threadCounts.join(',')}, batch ${BATCH}, ${repetitions} repetitions + 1 warm-up, ${rounds} rounds`,
  );
  console.log(
    `variants: rig = rigbench as shipped (UV_THREADPOOL_SIZE=1, thread pool attached)` +
      (withPerGraph ? '; pg = the same with per-graph threads (no pool)' : '') +
      (withUv4 ? '; uv4 = per-graph with libuv default 4 pool threads' : '') +
      (withPublic ? '; pub = public-API decoder' : ''),
  );
  console.log(
    `host: ${os.cpus()[0]?.model} x${logicalCores}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );

  // `attached`, not `auto`: a rig that silently fell back to per-graph would be measured under the wrong name.
  const engines = { rig: { engine: newEngine(modelPaths, { threadPool: 'attached' }), spareCells: 0 } };
  if (withPerGraph) engines.pg = { engine: newEngine(modelPaths), spareCells: 0 };
  if (withUv4) engines.uv4 = { engine: newEngine(modelPaths, { uvThreadpoolSize: 4 }), spareCells: 0 };
  if (withPublic)
    engines.pub = {
      engine: newEngine(modelPaths, { workerEnv: { RIGBENCH_RAW_DECODER: 'sequence' } }),
      spareCells: 1,
    };
  for (const preset of presets) {
    console.log(`\n== ${preset} (pp${sizesOf(preset).prompt} / tg${sizesOf(preset).gen})`);
    printPreset(preset, await measurePreset(preset, modelPaths[preset], engines));
  }
  for (const [name, { engine }] of Object.entries(engines))
    console.log(`thread pool of ${name}: ${[...(poolsSeen.get(engine) ?? [])].join('; ')}`);
}

await main();
