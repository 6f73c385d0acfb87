/**
 * Backend table, case placement and the load check, on probe answers captured on real machines: Mesa's llvmpipe
 * (this CI machine) and a two-P104-100 mining-card box (stand-in: no NVIDIA GPU here, its probe and nvidia-smi
 * answers are replayed through a stand-in probe runner).
 */
import type { Backend } from '@rigbench/shared';
import { vulkanRawCase as benchCase } from '../../../../test/support/bench-case.js';
import { probeBackendTable } from './backend-table.js';
import type { BackendStatus, ProbeRunner } from './backend-table.js';
import { caseFingerprint } from './case-fingerprint.js';
import { checkLoad, placeCase } from './device-placement.js';
import { parseNvidiaSmiCsv } from './nvidia-smi.js';
import type { BackendProbe, LoadedReply, ProbedDevice } from './worker-protocol.js';

const LLVMPIPE = 'llvmpipe (LLVM 15.0.6, 256 bits)';
const GIB = 1024 ** 3;
const TWO_P104_SMI = parseNvidiaSmiCsv(
  `0, NVIDIA P104-100, GPU-6e1f6a8c-33c1-8a0e-1b2f-3d5a6c7e8f90, 8192, 1234, 535.183.01
1, NVIDIA P104-100, GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9, 8192, 5, 535.183.01
`,
).map((gpu) => ({ kind: 'discrete' as const, ...gpu }));

const device = (index: number, name: string, extra: Partial<ProbedDevice> = {}): ProbedDevice => ({
  index,
  name,
  cpuType: false,
  unifiedMemory: false,
  ...extra,
});
const notLoaded = (backend: Backend, reason = 'Error: NoBinaryFoundError'): BackendProbe => ({
  backend,
  loaded: false,
  reason,
  devices: [],
});

/** What the probe workers answered on this machine (Debian 12, mesa-vulkan-drivers, no GPU). */
const llvmpipeMachine: ProbeRunner = async (backends, env) => {
  if (env.GGML_VK_VISIBLE_DEVICES === '0')
    return [
      {
        backend: 'vulkan',
        loaded: true,
        devices: [device(0, LLVMPIPE, { cpuType: true, vramTotalBytes: 2 * GIB, vramFreeBytes: 2 * GIB })],
      },
    ];
  if (env.GGML_VK_VISIBLE_DEVICES !== undefined) return [notLoaded('vulkan')];
  return backends.map((backend) =>
    backend === 'cpu' || backend === 'vulkan'
      ? { backend, loaded: true, devices: [] }
      : notLoaded(backend, 'Error: NoBinaryFoundError'),
  );
};

/** Stand-in for a two-P104-100 box: CUDA lists both cards; Vulkan has them plus llvmpipe at loader index 2. */
const twoP104Machine: ProbeRunner = async (backends, env) => {
  const vulkanByIndex = [
    device(0, 'NVIDIA P104-100'),
    device(0, 'NVIDIA P104-100'),
    device(0, LLVMPIPE, { cpuType: true }),
  ];
  if (env.GGML_VK_VISIBLE_DEVICES !== undefined) {
    const one = vulkanByIndex[Number(env.GGML_VK_VISIBLE_DEVICES)];
    return [one ? { backend: 'vulkan', loaded: true, devices: [one] } : notLoaded('vulkan')];
  }
  return backends.map((backend): BackendProbe => {
    if (backend === 'cpu') return { backend, loaded: true, devices: [] };
    if (backend === 'metal') return notLoaded(backend);
    return { backend, loaded: true, devices: [device(0, 'NVIDIA P104-100'), device(1, 'NVIDIA P104-100')] };
  });
};

const statusOf = (table: BackendStatus[], backend: Backend): BackendStatus =>
  table.find((s) => s.backend === backend) as BackendStatus;

function loadedReply(names: string[], offloadedLayers: number, totalLayers = 5): LoadedReply {
  return {
    type: 'loaded',
    loadSeconds: 0.1,
    backendInitSeconds: 0.2,
    llamaCppRelease: 'b6000',
    gpuDeviceNames: names,
    vram: null,
    offload: { offloadedLayers, totalLayers },
    uvThreadpoolSize: 1,
    llamaBuild: { type: 'prebuilt', systemInfo: 'CPU : AVX2 = 1' },
  };
}

describe('backend table (probe answers captured on real machines, replayed by a stand-in probe runner)', () => {
  test('llvmpipe only: vulkan is loaded but not available, listing llvmpipe as a software device and saying how to opt in', async () => {
    const table = await probeBackendTable(llvmpipeMachine, null, {});
    expect(table.map((s) => [s.backend, s.available])).toEqual([
      ['cpu', true],
      ['cuda', false],
      ['vulkan', false],
      ['metal', false],
    ]);
    const vulkan = statusOf(table, 'vulkan');
    expect(vulkan.devices).toEqual([
      { index: 0, name: LLVMPIPE, kind: 'software', vramTotalBytes: 2 * GIB, vramFreeBytes: 2 * GIB },
    ]);
    expect(vulkan.defaultDevices).toEqual([]);
    expect(vulkan.reason).toBe(
      `vulkan: the loader found only ${LLVMPIPE}, a software device; allow software devices in the plan ` +
        '(allowSoftwareDevices: true) to benchmark it',
    );
    expect(statusOf(table, 'metal').reason).toMatch(/^metal: only available on macOS/);
  });

  test('two P104-100 (stand-in): CUDA devices carry nvidia-smi facts per card; Vulkan indexes include llvmpipe', async () => {
    const table = await probeBackendTable(twoP104Machine, TWO_P104_SMI, {});
    const cuda = statusOf(table, 'cuda');
    expect(cuda.available).toBe(true);
    expect(cuda.devices).toEqual([
      {
        index: 0,
        name: 'NVIDIA P104-100',
        kind: 'discrete',
        uuid: 'GPU-6e1f6a8c-33c1-8a0e-1b2f-3d5a6c7e8f90',
        vramTotalBytes: 8 * GIB,
        vramUsedBytes: 1234 * 1024 * 1024,
        driverVersion: '535.183.01',
      },
      {
        index: 1,
        name: 'NVIDIA P104-100',
        kind: 'discrete',
        uuid: 'GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9',
        vramTotalBytes: 8 * GIB,
        vramUsedBytes: 5 * 1024 * 1024,
        driverVersion: '535.183.01',
      },
    ]);
    const vulkan = statusOf(table, 'vulkan');
    expect(vulkan.available).toBe(true);
    expect(vulkan.devices.map((d) => [d.index, d.kind])).toEqual([
      [0, 'discrete'],
      [1, 'discrete'],
      [2, 'software'],
    ]);
    expect(vulkan.defaultDevices).toEqual([0, 1]);
  });
});

describe('case placement and the load check', () => {
  let llvmpipe: BackendStatus[];
  let p104: BackendStatus[];
  beforeAll(async () => {
    llvmpipe = await probeBackendTable(llvmpipeMachine, null, {});
    p104 = await probeBackendTable(twoP104Machine, TWO_P104_SMI, {});
  });

  test('vulkan on llvmpipe without the opt-in is skipped with the reason; with it, llvmpipe is named to ggml', () => {
    expect(placeCase(benchCase(), statusOf(llvmpipe, 'vulkan'))).toEqual({
      action: 'skip',
      reason: expect.stringMatching(
        /the loader found only llvmpipe .*, a software device; allow software devices/,
      ),
    });
    const placed = placeCase(benchCase({ allowSoftwareDevices: true }), statusOf(llvmpipe, 'vulkan'));
    expect(placed).toMatchObject({
      action: 'run',
      env: { GGML_VK_VISIBLE_DEVICES: '0' },
      devices: [{ index: 0, name: LLVMPIPE, kind: 'software' }],
    });
  });

  test('an index the node does not have fails the case, naming the devices present', () => {
    expect(placeCase(benchCase({ devices: [3] }), statusOf(llvmpipe, 'vulkan'))).toEqual({
      action: 'fail',
      reason: `vulkan: device 3 is not on this node; it has 0 = ${LLVMPIPE} (software)`,
    });
    expect(placeCase(benchCase({ backend: 'cuda', devices: [0, 2] }), statusOf(p104, 'cuda'))).toEqual({
      action: 'fail',
      reason:
        'cuda: device 2 is not on this node; it has 0 = NVIDIA P104-100 (discrete), 1 = NVIDIA P104-100 (discrete)',
    });
  });

  test('a selected software device needs the opt-in even where GPUs exist', () => {
    expect(placeCase(benchCase({ devices: [2] }), statusOf(p104, 'vulkan'))).toEqual({
      action: 'skip',
      reason: `vulkan: device 2 is ${LLVMPIPE}, a software device; allow software devices in the plan (allowSoftwareDevices: true) to benchmark it`,
    });
  });

  test('devices [1, 0] (stand-in P104-100s): environment and fingerprint devices follow the selection, in order', () => {
    const placed = placeCase(benchCase({ backend: 'cuda', devices: [1, 0] }), statusOf(p104, 'cuda'));
    if (placed.action !== 'run') throw new Error(placed.reason);
    expect(placed.env).toEqual({
      CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
      CUDA_VISIBLE_DEVICES: '1,0',
      GGML_VK_VISIBLE_DEVICES: '1,0',
    });
    const check = checkLoad(
      benchCase({ backend: 'cuda', devices: [1, 0] }),
      placed.devices,
      loadedReply(['NVIDIA P104-100', 'NVIDIA P104-100'], 33, 33),
    );
    if (!check.ok) throw new Error(check.reason);
    const fingerprint = caseFingerprint(
      benchCase({ backend: 'cuda', devices: [1, 0] }),
      { cpuModel: 'Intel(R) Celeron(R) G3930', cores: { physical: 2, logical: 2 } },
      {
        loaded: {
          llamaCppRelease: 'b6000',
          uvThreadpoolSize: 1,
          llamaBuild: { type: 'prebuilt', systemInfo: 'CPU : AVX2 = 1' },
        },
        model: {
          source: 'tiny.gguf',
          sha256: 'x',
          fileSizeBytes: 1,
          architecture: 'llama',
          parameterCount: null,
          quantization: 'F16',
          trainedContextSize: null,
        },
        gpus: check.gpus,
        ...(check.offload ? { offload: check.offload } : {}),
      },
      { threads: 1, contextSize: 256, batchSize: 64, contextVramBytes: 1024 },
    );
    expect(fingerprint.gpus.map((g) => [g.index, g.uuid, g.vramTotalBytes, g.driverVersion])).toEqual([
      [1, 'GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9', 8 * GIB, '535.183.01'],
      [0, 'GPU-6e1f6a8c-33c1-8a0e-1b2f-3d5a6c7e8f90', 8 * GIB, '535.183.01'],
    ]);
    expect(fingerprint.driverVersion).toBe('535.183.01');
    expect(fingerprint.offload).toEqual({
      requestedLayers: 'max',
      offloadedLayers: 33,
      totalLayers: 33,
      contextVramBytes: 1024,
    });
  });

  test('a GPU-labelled load with no device or no offloaded layer is refused instead of reporting CPU figures', () => {
    expect(checkLoad(benchCase(), [], loadedReply([], 0))).toEqual({
      ok: false,
      reason: 'vulkan: the backend loaded without any device; refusing to report CPU figures as vulkan',
    });
    const software = statusOf(llvmpipe, 'vulkan').devices;
    expect(
      checkLoad(benchCase({ allowSoftwareDevices: true }), software, loadedReply([LLVMPIPE], 0)),
    ).toEqual({
      ok: false,
      reason: `vulkan: 0 of 5 layers were offloaded to ${LLVMPIPE} (gpuLayers max); refusing to report CPU figures as vulkan`,
    });
    // A software device that slipped in through the agent's own environment is refused without the opt-in.
    expect(checkLoad(benchCase(), [], loadedReply([LLVMPIPE], 5))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/is llvmpipe .*, a software device; allow software devices/),
    });
    expect(
      checkLoad(benchCase({ allowSoftwareDevices: true }), software, loadedReply([LLVMPIPE], 5)),
    ).toEqual({
      ok: true,
      gpus: software,
      offload: { requestedLayers: 'max', offloadedLayers: 5, totalLayers: 5 },
    });
  });
});
