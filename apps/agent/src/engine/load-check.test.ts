/**
 * The lie this check exists for, reproduced with the real worker and Mesa installed (needs `npx tsc -b`): without
 * `GGML_VK_VISIBLE_DEVICES`, node-llama-cpp hands back a Vulkan build with no device, and `gpuLayers: 'max'` puts
 * no layer anywhere but the CPU. The load check refuses those figures.
 */
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureSynthModel } from '@rigbench/shared';
import { vulkanRawCase } from '../../../../test/support/bench-case.js';
import { checkLoad } from './device-placement.js';
import { resolveWorkerPath } from './worker-path.js';
import { WorkerProcess } from './worker-process.js';
import type { BackendProbe, LoadedReply } from './worker-protocol.js';

const MODELS_DIR = path.join(os.tmpdir(), 'rigbench-test-models');

const vulkanCase = vulkanRawCase();

async function ask<T>(env: NodeJS.ProcessEnv, message: Parameters<WorkerProcess['send']>[0]): Promise<T> {
  const { GGML_VK_VISIBLE_DEVICES: _unset, ...rest } = process.env;
  const worker = new WorkerProcess(resolveWorkerPath(import.meta.url), { ...rest, ...env });
  try {
    worker.send(message);
    return (await worker.next(new AbortController().signal, performance.now() + 120_000)) as T;
  } finally {
    await worker.stop();
  }
}

/** Mesa's llvmpipe driver manifest: with only it, the loader has a device, of CPU type, that ggml skips. */
function llvmpipeManifest(): string {
  const dir = '/usr/share/vulkan/icd.d';
  const name = existsSync(dir)
    ? readdirSync(dir).find((file) => /^lvp_icd\..*\.json$/.test(file))
    : undefined;
  if (!name)
    throw new Error(`no llvmpipe Vulkan driver in ${dir}: apt-get install mesa-vulkan-drivers libvulkan1`);
  return path.join(dir, name);
}

test('load check - a vulkan build with no device loads 0 layers on the GPU, and the check refuses its figures', async () => {
  const env = { VK_ICD_FILENAMES: llvmpipeManifest() };
  const probe = await ask<{ type: string; backends: BackendProbe[] }>(env, {
    type: 'probe',
    backends: ['vulkan'],
  });
  // What node-llama-cpp answers here: a Vulkan build, and no device.
  expect(probe.backends).toEqual([{ backend: 'vulkan', loaded: true, devices: [] }]);
  const modelPath = await ensureSynthModel(MODELS_DIR, 'tiny');
  const loaded = await ask<LoadedReply>(env, {
    type: 'load',
    modelPath,
    backend: 'vulkan',
    gpuLayers: 'max',
    maxThreads: 1,
    build: 'prebuilt',
  });
  expect(loaded.type).toBe('loaded');
  expect(loaded.gpuDeviceNames).toEqual([]);
  expect(loaded.offload?.offloadedLayers).toBe(0);
  expect(loaded.offload?.totalLayers).toBeGreaterThan(0);
  expect(checkLoad(vulkanCase, [], loaded)).toEqual({
    ok: false,
    reason: 'vulkan: the backend loaded without any device; refusing to report CPU figures as vulkan',
  });
}, 180_000);
