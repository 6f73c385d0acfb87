#!/usr/bin/env node
/* global AbortController, console, process, setInterval, clearInterval */
/**
 * Where the inference worker's CPU time goes, per thread (from /proc/PID/task/TID/stat: user + system time and
 * the voluntary / involuntary context switches of each thread), during one raw tg case on the synthetic small
 * model. CPU time, unlike wall time, is barely moved by other load on the box.
 *
 *   npx tsc -b && node bench/engine/worker-threads-cpu.mjs [THREADS] [GENERATED_TOKENS] [attached|per-graph]
 */
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureSynthModel } from '@rigbench/shared';
import { InferenceEngine } from '../../apps/agent/dist/engine/index.js';
import { rawCpuCase } from './raw-case.mjs';

const threads = Number(process.argv[2] ?? 1);
const generated = Number(process.argv[3] ?? 512);
const threadPool = process.argv[4] ?? 'attached';
const TICK = 100; // USER_HZ: /proc times are in clock ticks of 10 ms

function snapshot(pid) {
  const out = new Map();
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const ctxt = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      out.set(tid, {
        name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICK,
        systemSeconds: Number(fields[12]) / TICK,
        voluntary: ctxt('voluntary_ctxt_switches'),
        involuntary: ctxt('nonvoluntary_ctxt_switches'),
      });
    } catch {
      // the thread ended between readdir and read
    }
  }
  return out;
}

const modelPath = await ensureSynthModel(path.join(os.tmpdir(), 'rigbench-bench-models'), 'small', {
  type: 'q8_0',
});
let workerPid = null;
const engine = new InferenceEngine({
  resolveModelPath: async () => modelPath,
  caseTimeoutMs: 600_000,
  energy: false,
  threadPool: { mode: threadPool, nativeDir: path.join(os.tmpdir(), 'rigbench-bench-native') },
  onWorkerSpawn: (pid) => (workerPid = pid),
});
const test = { id: 'tg', promptTokens: 0, generatedTokens: generated, depth: 0 };
const benchCase = rawCpuCase({
  caseId: 'tg',
  model: { id: 'small', source: 'small' },
  threads,
  test,
  repetitions: 5,
});
let start = null;
let last = null;
const poll = setInterval(() => {
  if (workerPid == null) return;
  const now = snapshot(workerPid);
  if (now.size > 0) last = now;
}, 50);
const rates = [];
for await (const event of engine.run([benchCase], new AbortController().signal)) {
  // Count from the first measured repetition: the model load is not what this looks at.
  if (event.type === 'case.started') start = snapshot(workerPid);
  if (event.type === 'sample.recorded') rates.push(event.sample.decodeTokensPerSecond.toFixed(0));
}
clearInterval(poll);
console.log(`threads ${threads}, ${threadPool}, tg${generated} x 5 (+1 warm-up): ${rates.join(', ')} t/s`);
console.log('thread                 cpu s   voluntary  involuntary switches (since case start)');
const rows = [...(last ?? new Map())].map(([tid, t]) => {
  const s = start?.get(tid);
  return {
    name: `${t.name}/${tid}`,
    cpu: t.cpuSeconds - (s?.cpuSeconds ?? 0),
    sys: t.systemSeconds - (s?.systemSeconds ?? 0),
    vol: t.voluntary - (s?.voluntary ?? 0),
    inv: t.involuntary - (s?.involuntary ?? 0),
  };
});
for (const r of rows.sort((a, b) => b.cpu - a.cpu))
  console.log(
    `${r.name.padEnd(22)} ${r.cpu.toFixed(2).padStart(6)} ${String(r.vol).padStart(11)} ${String(r.inv).padStart(12)}`,
  );
// case.started comes before the warm-up: 1 warm-up + 5 measured repetitions of `generated` tokens each.
const tokens = generated * 6;
const main = rows.find((r) => r.name.endsWith(`/${workerPid}`));
if (main)
  console.log(
    `worker main thread (event loop, N-API calls): ${((main.cpu / tokens) * 1e6).toFixed(0)} us CPU and ` +
      `${((main.vol + main.inv) / tokens).toFixed(2)} context switches per token ` +
      `(${((main.sys / tokens) * 1e6).toFixed(0)} us of it in the kernel)`,
  );
