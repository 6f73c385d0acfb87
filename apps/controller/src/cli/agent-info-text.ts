/** `rigbench info AGENT` as text: identity, versions, host, the backend and device table, limits. */
import type { AgentRpc } from '@rigbench/shared';
import { table } from './output.js';

const gib = (bytes: string | number): string => `${(Number(bytes) / 1024 ** 3).toFixed(1)} GiB`;
/** VRAM figures are 0 where the backend does not report them. */
const vram = (bytes: string | number): string => (Number(bytes) > 0 ? gib(bytes) : '-');

const labelsText = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',') || '-';

/**
 * One row per device of every backend, by the index a plan's `devices` names it; `default` marks the devices a
 * backend uses when the plan selects none. Software devices (llvmpipe…) say so in KIND.
 */
export function deviceTable(statuses: readonly AgentRpc.BackendStatus__Output[]): string[] {
  const rows = statuses.flatMap((status) =>
    status.devices.map((gpu) => [
      status.backend,
      String(gpu.index),
      gpu.name,
      gpu.kind || '?',
      vram(gpu.vram_total_bytes),
      vram(gpu.vram_free_bytes),
      status.default_devices.includes(gpu.index) ? 'yes' : 'no',
      gpu.uuid || '-',
      gpu.driver_version || '-',
    ]),
  );
  if (rows.length === 0) return [];
  return table(['BACKEND', 'INDEX', 'NAME', 'KIND', 'VRAM', 'FREE', 'DEFAULT', 'UUID', 'DRIVER'], rows);
}

/** The lines of `rigbench info`. */
export function formatInfo(info: AgentRpc.AgentInfo__Output): string[] {
  const hw = info.hardware;
  const lines = [
    `agent ${info.id} at ${info.address} (${info.state})`,
    `  labels    ${labelsText(info.labels)}`,
    `  versions  rigbench ${info.versions?.rigbench ?? '?'}, node-llama-cpp ${info.versions?.node_llama_cpp ?? '?'}, ` +
      `llama.cpp ${info.versions?.llama_cpp ?? '?'}, node ${info.versions?.node ?? '?'}`,
    `  backends  ${info.backends.join(', ') || '-'}`,
    `  activity  ${info.busy ? `busy with ${info.active_run_ids.join(', ') || info.current_run_id}` : 'idle'}`,
  ];
  if (hw) {
    lines.push(
      `  host      ${[hw.hostname, hw.os, hw.platform].filter(Boolean).join(', ')}, kernel ${hw.kernel}`,
      `  cpu       ${hw.cpu_model} (${hw.physical_cores} cores, ${hw.logical_cores} threads), memory ${gib(hw.memory_bytes)}`,
    );
  }
  const unavailable = info.backend_status.filter((status) => !status.available);
  for (const status of unavailable)
    lines.push(`  no ${status.backend.padEnd(7)}${status.reason || '(no reason given)'}`);
  const devices = deviceTable(info.backend_status);
  if (devices.length > 0) lines.push('  devices', ...devices.map((line) => `    ${line}`));
  else if (hw && hw.gpus.length > 0)
    // An agent older than the device table: its GPU list as it sends it.
    for (const gpu of hw.gpus)
      lines.push(
        `  gpu ${gpu.index}     ${gpu.name}, ${gib(gpu.vram_total_bytes)}, driver ${gpu.driver_version || '?'}`,
      );
  const l = info.limits;
  if (l) {
    const v = (n: number): string => (n === 0 ? 'none' : String(n));
    lines.push(
      `  limits    maxTokens ${v(l.max_tokens)}, contextSize ${v(l.context_size)}, repetitions ${v(l.repetitions)}, ` +
        `run ${v(l.run_seconds)} s, case ${v(l.case_timeout_seconds)} s, concurrent runs ${v(l.concurrent_runs)}`,
    );
  }
  return lines;
}
