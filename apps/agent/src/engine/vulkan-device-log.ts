/**
 * Device facts from ggml-vulkan's own start-up log, the one place llama.cpp says whether a Vulkan device is of CPU
 * type (node-llama-cpp reports names only). At debug level ggml prints, per device it uses:
 *
 *   ggml_vulkan: 0 = llvmpipe (LLVM 15.0.6, 256 bits) (llvmpipe) | uma: 0 | fp16: 1 | … | matrix cores: none
 *   ggml_vulkan: Warning: Device type is CPU. This is probably not the device you want.
 */

/** One device line of the log. */
export interface VulkanLogDevice {
  /** Position among the devices ggml uses (not the loader's index). */
  position: number;
  name: string;
  /** Vulkan driver name, e.g. `llvmpipe`, `radv`, `NVIDIA`. */
  driver: string;
  /** `uma: 1`: the device shares the host's memory. */
  unifiedMemory: boolean;
  /** ggml warned that the device type is CPU (`VK_PHYSICAL_DEVICE_TYPE_CPU`). */
  cpuType: boolean;
}

const DEVICE_LINE = /ggml_vulkan: (\d+) = (.*) \(([^()]*)\) \| uma: (\d+)/;
const CPU_WARNING = /ggml_vulkan: Warning: Device type is CPU/;

/** The devices of a ggml-vulkan log, in order; a CPU-type warning belongs to the device line before it. */
export function parseVulkanDeviceLog(lines: readonly string[]): VulkanLogDevice[] {
  const devices: VulkanLogDevice[] = [];
  for (const line of lines) {
    const match = DEVICE_LINE.exec(line);
    if (match) {
      devices.push({
        position: Number(match[1]),
        name: (match[2] ?? '').trim(),
        driver: match[3] ?? '',
        unifiedMemory: match[4] === '1',
        cpuType: false,
      });
    } else if (CPU_WARNING.test(line) && devices.length > 0) {
      (devices[devices.length - 1] as VulkanLogDevice).cpuType = true;
    }
  }
  return devices;
}
