/**
 * The node's backends and their devices, as the engine uses them to place cases and as `rigbench info` shows them.
 *
 * One probe worker tries every backend in the agent's own environment: that gives what each backend uses when a plan
 * selects no device. Vulkan is also probed once per loader index with `GGML_VK_VISIBLE_DEVICES=<i>` (one process
 * each, the first two alongside the main probe, until an index does not exist) because ggml-vulkan skips CPU-type
 * devices unless they are named: those runs list every device a plan's `devices` can name, software ones included,
 * under the index it would name them by.
 */
import type { Backend, GpuFacts } from '@rigbench/shared';
import { BACKENDS, classifyDevice } from '@rigbench/shared';
import { diagnoseBackend } from './backend-diagnosis.js';
import type { BackendProbe, ProbedDevice } from './worker-protocol.js';

/** One backend of this node. */
export interface BackendStatus {
  backend: Backend;
  /** `getLlama` loaded a build of it. */
  loaded: boolean;
  /** A plan may use it without opting in to software devices: it loaded and has a device that is not software. */
  available: boolean;
  /** Why it is not available; for software-only Vulkan, how to opt in. */
  reason?: string;
  /** Devices by the index a plan's `devices` names them, with their kind. */
  devices: GpuFacts[];
  /** Indexes of the devices the backend uses when a plan selects none. */
  defaultDevices: number[];
}

/** Runs one probe worker with `env` added to the worker environment. */
export type ProbeRunner = (backends: Backend[], env: NodeJS.ProcessEnv) => Promise<BackendProbe[]>;

/** Loader indexes probed one by one for Vulkan: more devices than this on one node are not expected. */
export const MAX_VULKAN_DEVICES = 8;
/** Vulkan indexes probed at the same time as the main probe (a node has one or two devices, typically). */
const PARALLEL_VULKAN_PROBES = 2;

const API_NAMES: Record<Backend, string> = { cpu: 'CPU', cuda: 'CUDA', vulkan: 'Vulkan', metal: 'Metal' };

/** How a plan opts in, said in every reason that needs it. */
export const SOFTWARE_OPT_IN_HINT =
  'allow software devices in the plan (allowSoftwareDevices: true) to benchmark it';

function withKind(device: ProbedDevice, index: number): GpuFacts {
  const { cpuType, unifiedMemory, ...facts } = device;
  return { ...facts, index, kind: classifyDevice({ name: device.name, cpuType, unifiedMemory }) };
}

/** A list like `0 = llvmpipe (LLVM 15.0.6, 256 bits) (software)`. */
export function describeDevices(devices: readonly GpuFacts[]): string {
  if (devices.length === 0) return 'no device';
  return devices.map((d) => `${d.index} = ${d.name}${d.kind ? ` (${d.kind})` : ''}`).join(', ');
}

/** Why a loaded backend with these devices is not available, or undefined when it is. */
export function unavailableReason(backend: Backend, devices: readonly GpuFacts[]): string | undefined {
  if (backend === 'cpu') return undefined;
  if (devices.length === 0) return `${backend}: the ${API_NAMES[backend]} loader found no device`;
  if (devices.some((d) => d.kind !== 'software')) return undefined;
  const names = devices.map((d) => d.name).join(', ');
  const noun = devices.length === 1 ? 'a software device' : 'software devices';
  return `${backend}: the loader found only ${names}, ${noun}; ${SOFTWARE_OPT_IN_HINT}`;
}

/** Indexes of `defaults` (by name, in order) among `devices`; each device used once. */
function matchByName(defaults: readonly ProbedDevice[], devices: readonly GpuFacts[]): number[] {
  const used = new Set<number>();
  const indexes: number[] = [];
  for (const device of defaults) {
    const match = devices.find((d) => d.name === device.name && !used.has(d.index));
    if (match) {
      used.add(match.index);
      indexes.push(match.index);
    }
  }
  return indexes;
}

/** NVIDIA facts (uuid, VRAM, driver) joined onto CUDA devices by index, when both list the same number. */
function withNvidiaFacts(devices: GpuFacts[], smi: readonly GpuFacts[] | null): GpuFacts[] {
  if (smi == null || smi.length !== devices.length) return devices;
  return devices.map((device, i) => ({ ...device, ...smi[i], name: device.name, index: device.index }));
}

/** Probes every backend (Vulkan per loader index) and builds the table, one status per backend in BACKENDS order. */
export async function probeBackendTable(
  runProbe: ProbeRunner,
  nvidiaSmi: readonly GpuFacts[] | null,
  workerEnv: NodeJS.ProcessEnv = process.env,
): Promise<BackendStatus[]> {
  // The first Vulkan indexes are probed alongside the main probe: GetInfo waits for the whole table.
  const probeIndex = async (index: number): Promise<ProbedDevice | undefined> => {
    const [one] = await runProbe(['vulkan'], { GGML_VK_VISIBLE_DEVICES: String(index) });
    return one?.loaded ? one.devices[0] : undefined;
  };
  const [first, ...firstIndexes] = await Promise.all([
    runProbe([...BACKENDS], {}),
    ...Array.from({ length: PARALLEL_VULKAN_PROBES }, (_, index) => probeIndex(index)),
  ]);
  const statuses: BackendStatus[] = [];
  for (const backend of BACKENDS) {
    const probe = first.find((p) => p.backend === backend);
    if (!probe || !probe.loaded) {
      const diagnosis = await diagnoseBackend(backend, workerEnv).catch(() => null);
      const raw = probe?.reason ?? 'not probed';
      statuses.push({
        backend,
        loaded: false,
        available: false,
        reason: diagnosis ? `${diagnosis} (node-llama-cpp: ${raw})` : `${backend}: ${raw}`,
        devices: [],
        defaultDevices: [],
      });
      continue;
    }
    let devices = probe.devices.map(withKind);
    let defaultDevices = devices.map((d) => d.index);
    if (backend === 'vulkan') {
      const byIndex: GpuFacts[] = [];
      for (let index = 0; index < MAX_VULKAN_DEVICES; index++) {
        const device = index < firstIndexes.length ? firstIndexes[index] : await probeIndex(index);
        if (!device) break;
        byIndex.push(withKind(device, index));
      }
      if (byIndex.length > 0) {
        defaultDevices = matchByName(probe.devices, byIndex);
        devices = byIndex;
      }
    }
    if (backend === 'cuda') devices = withNvidiaFacts(devices, nvidiaSmi);
    const reason = unavailableReason(backend, devices);
    statuses.push({
      backend,
      loaded: true,
      available: reason === undefined,
      ...(reason ? { reason } : {}),
      devices,
      defaultDevices,
    });
  }
  return statuses;
}

/** Every backend unavailable for `reason` (a probe that could not run). */
export function unprobedTable(reason: string): BackendStatus[] {
  return BACKENDS.map((backend) => ({
    backend,
    loaded: false,
    available: false,
    reason,
    devices: [],
    defaultDevices: [],
  }));
}
