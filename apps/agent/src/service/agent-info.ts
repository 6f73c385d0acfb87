import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, cpus, hostname, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { RIGBENCH_VERSION, type AgentRpc, type Backend, type GpuFacts } from '@rigbench/shared';
import type { AgentConfig } from '../config/index.js';
import type { BackendStatus, HardwareFacts } from '../engine/index.js';
import { osFacts } from '../engine/host-facts.js';
import { nodeLlamaCppVersion } from '../engine/versions.js';

/** The engine facts GetInfo reports (a subset of `InferenceEngine`). */
export interface NodeFactsSource {
  availableBackends(): Promise<Backend[]>;
  backendTable(): Promise<BackendStatus[]>;
  hardware(): Promise<HardwareFacts>;
}

let osText: string | undefined;
/** The fingerprint's `os` (`linux (Ubuntu 24.04)`), read once: /etc/os-release does not change under a running agent. */
function operatingSystem(): string {
  osText ??= osFacts().os;
  return osText;
}

/** A device as GetInfo sends it (0 and empty strings for what is unknown). */
function gpuMessage(gpu: GpuFacts, driverVersion: string | null): AgentRpc.Gpu {
  return {
    index: gpu.index,
    name: gpu.name,
    uuid: gpu.uuid ?? '',
    vram_total_bytes: gpu.vramTotalBytes ?? 0,
    vram_used_bytes: gpu.vramUsedBytes ?? 0,
    driver_version: gpu.driverVersion ?? driverVersion ?? '',
    kind: gpu.kind ?? '',
    vram_free_bytes: gpu.vramFreeBytes ?? 0,
  };
}

/** What GetInfo reads from the running agent. */
export interface AgentInfoDeps {
  config: AgentConfig;
  engine: NodeFactsSource;
  activeRunIds: () => string[];
  state: () => string;
  /** The address clients should dial (with the real port once bound). */
  address: () => string;
}

/** Versions of the measuring stack, read once. */
export interface StackVersions {
  rigbench: string;
  nodeLlamaCpp: string;
  /** llama.cpp release bundled with node-llama-cpp. */
  llamaCpp: string;
  node: string;
}

let cachedVersions: StackVersions | undefined;

/** llama.cpp release tag from node-llama-cpp's `llama/llama.cpp.info.json` (what its prebuilt binaries report). */
function llamaCppRelease(): string {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve('node-llama-cpp'));
    for (let depth = 0; depth < 5; depth++, dir = dirname(dir)) {
      try {
        const info = JSON.parse(readFileSync(join(dir, 'llama', 'llama.cpp.info.json'), 'utf8')) as {
          tag?: string;
        };
        if (info.tag) return info.tag;
      } catch {
        // Not at this level: go up.
      }
    }
  } catch {
    // node-llama-cpp not resolvable: report unknown rather than fail GetInfo.
  }
  return 'unknown';
}

/** rigbench, node-llama-cpp, llama.cpp and Node.js versions. */
export function stackVersions(): StackVersions {
  cachedVersions ??= {
    rigbench: RIGBENCH_VERSION,
    nodeLlamaCpp: nodeLlamaCppVersion(),
    llamaCpp: llamaCppRelease(),
    node: process.version,
  };
  return cachedVersions;
}

/** Builds the GetInfo reply from config, engine facts and the supervisor's state. */
export async function buildAgentInfo(deps: AgentInfoDeps): Promise<AgentRpc.AgentInfo> {
  const { config } = deps;
  const [backends, table, hardware] = await Promise.all([
    deps.engine.availableBackends(),
    deps.engine.backendTable(),
    deps.engine.hardware(),
  ]);
  const versions = stackVersions();
  const active = deps.activeRunIds();
  const limit = (value: number | null): number => value ?? 0;
  return {
    id: config.id,
    labels: { ...config.labels },
    versions: {
      rigbench: versions.rigbench,
      node_llama_cpp: versions.nodeLlamaCpp,
      llama_cpp: versions.llamaCpp,
      node: versions.node,
    },
    hardware: {
      cpu_model: hardware.cpuModel || (cpus()[0]?.model ?? 'unknown'),
      physical_cores: hardware.cores.physical,
      logical_cores: hardware.cores.logical,
      memory_bytes: totalmem(),
      gpus: hardware.gpus.map((gpu) => gpuMessage(gpu, hardware.driverVersion)),
      platform: `${platform()}-${arch()}`,
      kernel: release(),
      hostname: hostname(),
      os: operatingSystem(),
    },
    backends,
    backend_status: table.map((status) => ({
      backend: status.backend,
      loaded: status.loaded,
      available: status.available,
      reason: status.reason ?? '',
      devices: status.devices.map((gpu) => gpuMessage(gpu, null)),
      default_devices: status.defaultDevices,
    })),
    busy: active.length > 0,
    current_run_id: active[0] ?? '',
    active_run_ids: active,
    limits: {
      max_tokens: limit(config.limits.maxTokens),
      context_size: limit(config.limits.contextSize),
      repetitions: limit(config.limits.repetitions),
      run_seconds: config.limits.runMs === null ? 0 : Math.round(config.limits.runMs / 1000),
      case_timeout_seconds:
        config.limits.caseTimeoutMs === null ? 0 : Math.round(config.limits.caseTimeoutMs / 1000),
      concurrent_runs: config.concurrentRuns,
    },
    address: deps.address(),
    state: deps.state(),
  };
}
