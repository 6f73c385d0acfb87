/** GPU facts from `nvidia-smi`, when the node has it (NVIDIA driver installed). */
import { execFile } from 'node:child_process';
import type { GpuFacts } from '@rigbench/shared';

/** The query the agent runs; `parseNvidiaSmiCsv` reads its output. */
export const NVIDIA_SMI_ARGS = [
  '--query-gpu=index,name,uuid,memory.total,memory.used,driver_version',
  '--format=csv,noheader,nounits',
] as const;

const MIB = 1024 * 1024;

/** Reads `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` output (memory in MiB) into facts, bytes. */
export function parseNvidiaSmiCsv(text: string): GpuFacts[] {
  const gpus: GpuFacts[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length < 6) continue;
    // Names may contain commas; the other five fields never do, so take them from both ends.
    const index = Number(fields[0]);
    const [uuid, total, used, driver] = fields.slice(-4);
    const name = fields.slice(1, -4).join(', ');
    if (!Number.isInteger(index)) continue;
    gpus.push({
      index,
      name,
      ...(uuid ? { uuid } : {}),
      ...(isNumber(total) ? { vramTotalBytes: Number(total) * MIB } : {}),
      ...(isNumber(used) ? { vramUsedBytes: Number(used) * MIB } : {}),
      ...(driver && driver !== '[N/A]' ? { driverVersion: driver } : {}),
    });
  }
  return gpus;
}

function isNumber(value: string | undefined): value is string {
  return value != null && value !== '' && Number.isFinite(Number(value));
}

/** Runs nvidia-smi; null when it is not installed or fails (no NVIDIA GPU or driver here). */
export async function queryNvidiaSmi(binary = 'nvidia-smi', timeoutMs = 5000): Promise<GpuFacts[] | null> {
  return new Promise((resolve) => {
    execFile(binary, [...NVIDIA_SMI_ARGS], { timeout: timeoutMs }, (error, stdout) => {
      resolve(error ? null : parseNvidiaSmiCsv(stdout));
    });
  });
}
