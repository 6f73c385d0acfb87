/** The device list a probe worker reports for one loaded GPU backend (runs inside the worker process). */
import type { Backend } from '@rigbench/shared';
import type { ProbedDevice } from './worker-protocol.js';
import { parseVulkanDeviceLog } from './vulkan-device-log.js';

/**
 * Names as `llama.getGpuDeviceNames()` lists them, with what ggml-vulkan's log says of each (CPU type, unified
 * memory); VRAM only when one device holds it all (llama.cpp sums it over devices). The engine turns these facts
 * into a kind (`classifyDevice`): the worker does not load the shared barrel.
 */
export function devicesOfProbe(
  backend: Backend,
  names: readonly string[],
  vram: { total: number; used: number; free: number; unifiedSize: number },
  debugLines: readonly string[],
): ProbedDevice[] {
  const logged = backend === 'vulkan' ? parseVulkanDeviceLog(debugLines) : [];
  return names.map((name, index) => {
    const fromLog = logged.find((device) => device.position === index && device.name === name);
    return {
      index,
      name,
      cpuType: fromLog?.cpuType ?? false,
      unifiedMemory: fromLog?.unifiedMemory ?? (names.length === 1 && vram.unifiedSize > 0),
      ...(names.length === 1 && vram.total > 0
        ? { vramTotalBytes: vram.total, vramUsedBytes: vram.used, vramFreeBytes: vram.free }
        : {}),
    };
  });
}
