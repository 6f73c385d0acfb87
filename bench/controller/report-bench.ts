/**
 * Report benchmark: builds a synthetic run of N samples (default 10^6) and times `renderReport` for the md
 * report and the json summary (no raw samples). Target: each under 2 s for 10^6 samples.
 *
 * Run: `node --expose-gc bench/dist/bench/controller/report-bench.js [--samples N] [--max-seconds S] [--json]`
 * (exits 1 when a format takes longer than `--max-seconds`, default: report only).
 * `benchReport(samples)` is exported for `npm run bench:controller`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SeededRandom, type BenchCase, type Fingerprint, type Sample } from '@rigbench/shared';
import { renderReport, type RunDataset } from '../../apps/controller/src/report/index.js';

const AGENTS = 4;
const MODELS = ['llama-8b', 'qwen-14b', 'phi-3-mini'] as const;
const BACKENDS = ['cuda', 'vulkan'] as const;
const DEVICE_SETS = [[0], [0, 1]];
const PROMPTS = ['q1', 'q2', 'q3', 'q4', 'q5'];

function fingerprint(agentId: string, c: BenchCase): Fingerprint {
  return {
    rigbenchVersion: '0.1.0',
    nodeLlamaCppVersion: '3.21.1',
    llamaCppRelease: 'b6000',
    backend: c.backend,
    gpus: [{ index: 0, name: 'NVIDIA P104-100', vramTotalBytes: 8 * 2 ** 30, driverVersion: '550.120' }],
    driverVersion: '550.120',
    cpuModel: 'bench cpu',
    cpuCores: { physical: 8, logical: 16 },
    os: 'linux',
    kernel: '6.8.12-4-pve',
    nodeVersion: 'v20.19.0',
    hostname: agentId,
    model: {
      source: `${c.model.id}.gguf`,
      sha256: 'ab'.repeat(32),
      fileSizeBytes: 4e9,
      architecture: 'llama',
      parameterCount: 8e9,
      quantization: 'Q4_K_M',
      trainedContextSize: 131072,
    },
    threads: 8,
    batchSize: 512,
    contextSize: 4096,
    gpuLayers: 'max',
    flashAttention: false,
    kvCacheType: 'f16',
  };
}

/** A deterministic synthetic run with about `samples` samples spread over 4 agents × 60 cases. */
export function syntheticReportDataset(samples: number, seed = 1): RunDataset {
  const rng = new SeededRandom(seed);
  const noise = (): number => Math.exp((rng.next() + rng.next() + rng.next() - 1.5) * 0.1);
  const cases: RunDataset['cases'] = [];
  let index = 0;
  const caseList: BenchCase[] = [];
  for (const model of MODELS)
    for (const backend of BACKENDS)
      for (const devices of DEVICE_SETS)
        for (const prompt of PROMPTS) {
          caseList.push({
            index,
            caseId: `c${String(index++).padStart(3, '0')}-${model}-${backend}-d${devices.join('')}-${prompt}`,
            model: { id: model, source: `${model}.gguf` },
            backend,
            devices,
            gpuLayers: 'max',
            contextSize: 4096,
            batchSize: 512,
            threads: 'auto',
            flashAttention: false,
            kvCacheType: 'f16',
            workload: { mode: 'chat', prompt: { id: prompt, text: prompt } },
            generation: { maxTokens: 256, temperature: 0, seed: 42, ignoreEos: true },
            warmup: 1,
            repetitions: 1,
          });
        }
  const agents = Array.from({ length: AGENTS }, (_, i) => `bench-agent-${i}`);
  for (const agentId of agents)
    for (const bc of caseList)
      cases.push({
        agentId,
        caseId: bc.caseId,
        benchCase: bc,
        fingerprint: fingerprint(agentId, bc),
        modelLoadSeconds: 5 + bc.index / 10,
        outcome: 'ok',
        reason: null,
      });
  const out: RunDataset['samples'] = new Array(samples);
  const start = Date.parse('2026-01-01T00:00:00Z');
  // Case by case, repetitions back to back: the order agents record them in and the store returns them.
  const perCase = Math.ceil(samples / cases.length);
  for (let i = 0; i < samples; i++) {
    const c = cases[Math.floor(i / perCase)]!;
    const repetition = i % perCase;
    const base = 10 + (c.benchCase.index % 17);
    const tps = base * noise();
    const ttft = 0.2 * noise();
    const sample: Sample = {
      caseId: c.caseId,
      repetition,
      mode: 'chat',
      startedAt: new Date(start + i * 1000).toISOString(),
      modelLoadSeconds: c.modelLoadSeconds!,
      promptTokens: 20,
      promptSeconds: ttft,
      promptTokensPerSecond: 20 / ttft,
      ttftSeconds: ttft,
      generatedTokens: 256,
      decodeSeconds: 255 / tps,
      decodeTokensPerSecond: tps,
      interTokenLatency: { p50: 1 / tps, p90: 1.1 / tps, p99: 1.4 / tps },
      endToEndSeconds: ttft + 255 / tps,
      vram: { beforeBytes: 3e8, peakBytes: 6e9 * noise(), afterBytes: 5e9 },
      workerPeakRssBytes: 1.2e9,
      threads: 8,
      batchSize: 512,
      finishReason: 'maxTokens',
    };
    out[i] = { agentId: c.agentId, caseId: c.caseId, sample };
  }
  return {
    run: {
      runId: 'bench-run',
      planName: 'bench',
      label: null,
      startedAt: new Date(start).toISOString(),
      finishedAt: new Date(start + samples * 1000).toISOString(),
      status: 'complete',
      missing: [],
    },
    agents: agents.map((agentId) => ({ agentId, labels: {}, outcome: 'completed' as const })),
    cases,
    samples: out,
  };
}

export interface ReportBenchResult {
  samples: number;
  groups: number;
  /** Whether a full GC ran before each timing (node `--expose-gc`). */
  gcBeforeEach: boolean;
  buildSeconds: number;
  /** Seconds per format: `md` report and `json` summary (no raw samples). */
  md: { seconds: number; cpuSeconds: number; bytes: number };
  json: { seconds: number; cpuSeconds: number; bytes: number };
}

const seconds = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;
const cpuSeconds = (u0: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(u0);
  return (u.user + u.system) / 1e6;
};

/** Runs a full garbage collection when node was started with `--expose-gc`; reports whether it could. */
function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  gc();
  return true;
}

/**
 * Times `renderReport` on a synthetic run of `samples` samples (md, then json summary). Under `--expose-gc`, a
 * full collection runs before each timing: building ~10^6 sample objects leaves a heap whose major collection
 * (1-2 s on 2 cores) otherwise lands on whichever render happens to allocate next.
 */
export function benchReport(samples: number): ReportBenchResult {
  let t0 = process.hrtime.bigint();
  const ds = syntheticReportDataset(samples);
  const buildSeconds = seconds(t0);
  const gcBeforeEach = collectGarbage();
  let u0 = process.cpuUsage();
  t0 = process.hrtime.bigint();
  const md = renderReport([ds], 'md');
  const mdSeconds = seconds(t0);
  const mdCpu = cpuSeconds(u0);
  collectGarbage();
  u0 = process.cpuUsage();
  t0 = process.hrtime.bigint();
  const json = renderReport([ds], 'json', { rawSamples: false });
  const jsonSeconds = seconds(t0);
  const jsonCpu = cpuSeconds(u0);
  const groups = (JSON.parse(json) as { groups: unknown[] }).groups.length;
  return {
    samples,
    groups,
    gcBeforeEach,
    buildSeconds,
    md: { seconds: mdSeconds, cpuSeconds: mdCpu, bytes: md.length },
    json: { seconds: jsonSeconds, cpuSeconds: jsonCpu, bytes: json.length },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      samples: { type: 'string', default: '1000000' },
      'max-seconds': { type: 'string', default: '0' },
      json: { type: 'boolean', default: false },
    },
  });
  const r = benchReport(Number(values.samples));
  const max = Number(values['max-seconds']);
  if (values.json) console.log(JSON.stringify(r));
  else {
    console.log(
      `report over ${r.samples} samples in ${r.groups} groups (dataset built in ${r.buildSeconds.toFixed(2)} s, ` +
        `${r.gcBeforeEach ? 'full GC before each timing' : 'no --expose-gc: timings may include a major GC of the input'})`,
    );
    console.log(
      `  md:           ${r.md.seconds.toFixed(3)} s wall, ${r.md.cpuSeconds.toFixed(3)} s CPU (${r.md.bytes} chars)`,
    );
    console.log(
      `  json summary: ${r.json.seconds.toFixed(3)} s wall, ${r.json.cpuSeconds.toFixed(3)} s CPU (${r.json.bytes} chars)`,
    );
  }
  if (max > 0 && (r.md.seconds > max || r.json.seconds > max)) {
    console.error(`report bench: slower than ${max} s`);
    process.exitCode = 1;
  }
}
