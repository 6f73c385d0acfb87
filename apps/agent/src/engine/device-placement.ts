/**
 * Where a case runs, decided before a worker starts, and the check after the load that the label tells the truth:
 * a GPU backend's figures are reported only when its layers ended up on a device, and a software device only when
 * the plan opted in.
 */
import type { BenchCase, GpuFacts, OffloadFacts } from '@rigbench/shared';
import { classifyDevice } from '@rigbench/shared';
import { describeDevices, SOFTWARE_OPT_IN_HINT } from './backend-table.js';
import type { BackendStatus } from './backend-table.js';
import type { LoadedReply } from './worker-protocol.js';

/** Run with this environment on these devices, or skip/fail with a reason. */
export type Placement =
  | { action: 'run'; env: NodeJS.ProcessEnv; devices: GpuFacts[] }
  | { action: 'skip' | 'fail'; reason: string };

/**
 * GPU selection through the environment: node-llama-cpp has no device option, llama.cpp reads these. CUDA numbers
 * devices fastest-first unless told PCI order; PCI order is nvidia-smi's, so the indexes of `info` are CUDA's too.
 */
export function deviceEnvironment(devices: readonly number[]): NodeJS.ProcessEnv {
  if (devices.length === 0) return {};
  const list = devices.join(',');
  return { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: list, GGML_VK_VISIBLE_DEVICES: list };
}

const softwareRefusal = (benchCase: BenchCase, device: GpuFacts): string =>
  `${benchCase.backend}: device ${device.index} is ${device.name}, a software device; ${SOFTWARE_OPT_IN_HINT}`;

/** Decides how `benchCase` runs on a node whose backend is described by `status`. */
export function placeCase(benchCase: BenchCase, status: BackendStatus | undefined): Placement {
  const { backend } = benchCase;
  if (status == null || !status.loaded)
    return { action: 'skip', reason: status?.reason ?? `${backend}: not probed on this node` };
  if (backend === 'cpu') return { action: 'run', env: {}, devices: [] };
  const allowSoftware = benchCase.allowSoftwareDevices === true;

  if (benchCase.devices.length > 0) {
    const selected: GpuFacts[] = [];
    for (const index of benchCase.devices) {
      const device = status.devices.find((d) => d.index === index);
      if (!device)
        return {
          action: 'fail',
          reason: `${backend}: device ${index} is not on this node; it has ${describeDevices(status.devices)}`,
        };
      selected.push(device);
    }
    const software = selected.find((d) => d.kind === 'software');
    if (software && !allowSoftware) return { action: 'skip', reason: softwareRefusal(benchCase, software) };
    return { action: 'run', env: deviceEnvironment(benchCase.devices), devices: selected };
  }

  if (status.available) {
    const defaults = status.devices.filter((d) => status.defaultDevices.includes(d.index));
    if (defaults.length > 0) return { action: 'run', env: {}, devices: defaults };
  }
  const software = status.devices.filter((d) => d.kind === 'software');
  if (software.length === 0 || !allowSoftware)
    return { action: 'skip', reason: status.reason ?? `${backend}: no device this backend uses` };
  // ggml skips CPU-type devices unless named: name them.
  return { action: 'run', env: deviceEnvironment(software.map((d) => d.index)), devices: software };
}

/** The devices a loaded worker really used, matched to the placement's devices by position and name. */
function devicesUsed(expected: readonly GpuFacts[], names: readonly string[]): GpuFacts[] {
  return names.map((name, position) => {
    const device = expected[position];
    if (device && device.name === name) return device;
    return { index: device?.index ?? position, name, kind: classifyDevice({ name }) };
  });
}

/** The checked facts of a load: the devices used and the offload, or the reason its figures would lie. */
export type LoadCheck =
  { ok: true; gpus: GpuFacts[]; offload?: OffloadFacts } | { ok: false; reason: string };

/** Refuses a GPU-labelled load with no device or no offloaded layer, and a software device without opt-in. */
export function checkLoad(
  benchCase: BenchCase,
  expected: readonly GpuFacts[],
  loaded: LoadedReply,
): LoadCheck {
  const { backend } = benchCase;
  if (backend === 'cpu') return { ok: true, gpus: [] };
  const refusing = `refusing to report CPU figures as ${backend}`;
  if (loaded.gpuDeviceNames.length === 0)
    return { ok: false, reason: `${backend}: the backend loaded without any device; ${refusing}` };
  const gpus = devicesUsed(expected, loaded.gpuDeviceNames);
  const offload: OffloadFacts = {
    requestedLayers: benchCase.gpuLayers,
    offloadedLayers: loaded.offload?.offloadedLayers ?? 0,
    totalLayers: loaded.offload?.totalLayers ?? 0,
    ...(loaded.offload?.modelVramBytes != null ? { modelVramBytes: loaded.offload.modelVramBytes } : {}),
  };
  if (offload.offloadedLayers === 0 && benchCase.gpuLayers !== 0)
    return {
      ok: false,
      reason:
        `${backend}: 0 of ${offload.totalLayers} layers were offloaded to ${gpus.map((g) => g.name).join(', ')} ` +
        `(gpuLayers ${benchCase.gpuLayers}); ${refusing}`,
    };
  const software = gpus.find((g) => g.kind === 'software');
  if (software && benchCase.allowSoftwareDevices !== true)
    return { ok: false, reason: softwareRefusal(benchCase, software) };
  return { ok: true, gpus, offload };
}
