import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseNvidiaSmiCsv } from './nvidia-smi.js';
import { physicalCoresFromCpuinfo } from './host-facts.js';
import { resolveWorkerPath } from './worker-path.js';
import { latencyPercentiles, nearestRank } from './latency-stats.js';
import { autoThreads, resolveThreads, threadsPhase } from './threads.js';
import { quantizationLabel } from './model-file.js';
import { ModelHashCache, sha256OfFile } from './model-hash.js';
import { WorkerScriptMissingError } from './engine-errors.js';
import { withoutSecrets } from './worker-env.js';
import { deviceEnvironment } from './device-placement.js';

// Captured from a two-GPU host (`nvidia-smi --query-gpu=index,name,uuid,memory.total,memory.used,driver_version
// --format=csv,noheader,nounits`); there is no NVIDIA GPU on the CI machine.
const TWO_P104 = `0, NVIDIA P104-100, GPU-6e1f6a8c-33c1-8a0e-1b2f-3d5a6c7e8f90, 8192, 1234, 535.183.01
1, NVIDIA P104-100, GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9, 8192, 5, 535.183.01
`;

describe('nvidia-smi', () => {
  test('parses names, uuids, VRAM in bytes and the driver version (mocked nvidia-smi output)', () => {
    const gpus = parseNvidiaSmiCsv(TWO_P104);
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toEqual({
      index: 0,
      name: 'NVIDIA P104-100',
      uuid: 'GPU-6e1f6a8c-33c1-8a0e-1b2f-3d5a6c7e8f90',
      vramTotalBytes: 8192 * 1024 * 1024,
      vramUsedBytes: 1234 * 1024 * 1024,
      driverVersion: '535.183.01',
    });
    expect(gpus[1]?.index).toBe(1);
  });

  test('keeps commas inside GPU names and skips [N/A] fields and blank lines (mocked nvidia-smi output)', () => {
    const gpus = parseNvidiaSmiCsv('\n0, Tesla, Weird, Name, GPU-1, [N/A], [N/A], [N/A]\r\n\n');
    expect(gpus).toEqual([{ index: 0, name: 'Tesla, Weird, Name', uuid: 'GPU-1' }]);
  });
});

describe('host facts', () => {
  test('counts distinct physical cores, not hyper-threads', () => {
    const block = (cpu: number, core: number): string =>
      `processor\t: ${cpu}\nmodel name\t: X\nphysical id\t: 0\ncore id\t\t: ${core}\ncpu cores\t: 2\n`;
    const smt = [block(0, 0), block(1, 1), block(2, 0), block(3, 1)].join('\n');
    expect(physicalCoresFromCpuinfo(smt, 4)).toBe(2);
    expect(physicalCoresFromCpuinfo('processor\t: 0\ncpu cores\t: 6\n', 12)).toBe(6);
    expect(physicalCoresFromCpuinfo('', 3)).toBe(3);
  });
});

describe('threads', () => {
  test('auto is every physical core, as llama.cpp defaults, and never below one', () => {
    expect(autoThreads(1)).toBe(1);
    expect(autoThreads(2)).toBe(2);
    expect(autoThreads(16)).toBe(16);
    expect(autoThreads(0)).toBe(1);
    expect(resolveThreads('auto', 8)).toBe(8);
    expect(resolveThreads(3, 8)).toBe(3);
    expect(() => resolveThreads(0, 8)).toThrow(RangeError);
  });

  test('auto uses the tuned counts of the node: prompt-only raw tests the prompt count, the rest the decode count', () => {
    const tuned = { decode: 2, prompt: 4 };
    const raw = (promptTokens: number, generatedTokens: number) =>
      ({ mode: 'raw', test: { id: 'x', promptTokens, generatedTokens, depth: 0 } }) as const;
    const chat = { mode: 'chat', prompt: { id: 'q1', text: 'hi' } } as const;
    expect(threadsPhase(raw(512, 0))).toBe('prompt');
    expect(threadsPhase(raw(0, 128))).toBe('decode');
    expect(threadsPhase(raw(64, 32))).toBe('decode');
    expect(threadsPhase(chat)).toBe('decode');
    expect(resolveThreads('auto', 8, { workload: raw(512, 0), threads: tuned })).toBe(4);
    expect(resolveThreads('auto', 8, { workload: chat, threads: tuned })).toBe(2);
    // A phase the node was not tuned for falls back to the rule; explicit counts are never replaced.
    expect(resolveThreads('auto', 8, { workload: chat, threads: { decode: null, prompt: 4 } })).toBe(8);
    expect(resolveThreads(3, 8, { workload: chat, threads: tuned })).toBe(3);
  });
});

describe('worker path', () => {
  test('uses worker.js beside the module, else the dist twin of a src module', () => {
    const src = path.join(path.sep, 'repo', 'apps', 'agent', 'src', 'engine', 'inference-engine.ts');
    const dist = path.join(path.sep, 'repo', 'apps', 'agent', 'dist', 'engine', 'worker.js');
    expect(resolveWorkerPath(pathToFileURL(src).href, (p) => p === dist)).toBe(dist);
    const distModule = pathToFileURL(path.join(path.dirname(dist), 'inference-engine.js')).href;
    expect(resolveWorkerPath(distModule, (p) => p === dist)).toBe(dist);
    expect(() => resolveWorkerPath(pathToFileURL(src).href, () => false)).toThrow(WorkerScriptMissingError);
    expect(() => resolveWorkerPath(pathToFileURL(src).href, () => false)).toThrow(/npx tsc -b/);
  });
});

describe('latency percentiles', () => {
  test('nearest rank on 1..100 gives 50, 90, 99', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(latencyPercentiles(values)).toEqual({ p50: 50, p90: 90, p99: 99 });
    expect(nearestRank([7], 99)).toBe(7);
    expect(latencyPercentiles([])).toBeNull();
  });
});

describe('model facts', () => {
  test('quantization comes from general.file_type', () => {
    expect(quantizationLabel(7)).toBe('Q8_0');
    expect(quantizationLabel(15)).toBe('Q4_K_M');
    expect(quantizationLabel(0)).toBe('F32');
    expect(quantizationLabel(undefined)).toBe('unknown');
  });

  test('sha256 is cached by path, size and mtime', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rigbench-hash-'));
    try {
      const file = path.join(dir, 'm.gguf');
      await writeFile(file, 'GGUF one');
      const cache = new ModelHashCache(path.join(dir, 'cache', 'sha.json'));
      const first = await cache.sha256(file);
      expect(first).toBe(await sha256OfFile(file));
      expect(await cache.sha256(file)).toBe(first);
      expect(cache.hashed).toBe(1);
      // A fresh instance reads the cache file.
      const again = new ModelHashCache(path.join(dir, 'cache', 'sha.json'));
      expect(await again.sha256(file)).toBe(first);
      expect(again.hashed).toBe(0);
      await writeFile(file, 'GGUF two');
      await utimes(file, new Date(), new Date(Date.now() + 5000));
      expect(await again.sha256(file)).not.toBe(first);
      expect(again.hashed).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('device selection', () => {
  test('selects GPUs through CUDA_VISIBLE_DEVICES and GGML_VK_VISIBLE_DEVICES', () => {
    expect(deviceEnvironment([0, 1])).toEqual({
      CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
      CUDA_VISIBLE_DEVICES: '0,1',
      GGML_VK_VISIBLE_DEVICES: '0,1',
    });
    expect(deviceEnvironment([])).toEqual({});
  });
});

test('withoutSecrets - drops agent config and credential variables, keeps what llama.cpp and node need', () => {
  const env = withoutSecrets({
    PATH: '/usr/bin',
    HOME: '/home/a',
    GGML_VK_VISIBLE_DEVICES: '0',
    CUDA_VISIBLE_DEVICES: '1',
    LD_LIBRARY_PATH: '/opt/cuda/lib',
    RIGBENCH_AGENT_AUTH_TOKEN: 'x',
    RIGBENCH_AGENT_NATS_PASSWORD: 'x',
    RIGBENCH_AGENT_ID: 'gpu-1',
    HF_TOKEN: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    NATS_NKEY_SEED: 'x',
    OPENAI_API_KEY: 'x',
  });
  expect(Object.keys(env).sort()).toEqual([
    'CUDA_VISIBLE_DEVICES',
    'GGML_VK_VISIBLE_DEVICES',
    'HOME',
    'LD_LIBRARY_PATH',
    'PATH',
  ]);
});
