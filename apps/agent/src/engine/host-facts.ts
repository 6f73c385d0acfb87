/** What the host is: CPU model, physical and logical cores, operating system. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface CpuFacts {
  cpuModel: string;
  cores: { physical: number; logical: number };
}

/**
 * Physical cores from `/proc/cpuinfo` text: distinct (physical id, core id) pairs; without those fields (some VMs,
 * ARM), the `cpu cores` field, else the processor count.
 */
export function physicalCoresFromCpuinfo(cpuinfo: string, logical: number): number {
  const pairs = new Set<string>();
  let cpuCores = 0;
  for (const block of cpuinfo.split(/\n\s*\n/)) {
    const physicalId = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const coreId = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (physicalId != null && coreId != null) pairs.add(`${physicalId}:${coreId}`);
    const cores = /^cpu cores\s*:\s*(\d+)/m.exec(block)?.[1];
    if (cores != null) cpuCores = Math.max(cpuCores, Number(cores));
  }
  if (pairs.size > 0) return pairs.size;
  if (cpuCores > 0) return cpuCores;
  return logical;
}

/** CPU model and core counts of this machine. */
export function cpuFacts(readCpuinfo: () => string = () => readFileSync('/proc/cpuinfo', 'utf8')): CpuFacts {
  const cpus = os.cpus();
  const logical = os.availableParallelism?.() ?? cpus.length;
  let cpuinfo = '';
  try {
    cpuinfo = readCpuinfo();
  } catch {
    // Not Linux: fall back to the logical count below.
  }
  const modelFromCpuinfo = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim();
  return {
    cpuModel: modelFromCpuinfo ?? cpus[0]?.model.trim() ?? 'unknown',
    cores: { physical: Math.max(1, physicalCoresFromCpuinfo(cpuinfo, logical)), logical },
  };
}

/** Operating system (`linux 6.8.0 (Ubuntu 24.04)` style) and kernel release. */
export function osFacts(): { os: string; kernel: string } {
  let pretty = '';
  try {
    pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    // No os-release (macOS, Windows).
  }
  return {
    os: pretty ? `${os.platform()} (${pretty})` : `${os.platform()} ${os.version()}`,
    kernel: os.release(),
  };
}
