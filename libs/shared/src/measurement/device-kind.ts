/**
 * What kind of device a GPU backend runs on. A backend label says which API ran the model (CUDA, Vulkan, Metal); the
 * device kind says whether a GPU was behind it. Software devices (Mesa's llvmpipe, a.k.a. lavapipe, and Google's
 * SwiftShader) implement Vulkan on the CPU: their figures are CPU figures through the Vulkan API, so rigbench runs
 * them only when a plan opts in (`allowSoftwareDevices: true`) and marks them wherever they appear.
 */

/** `discrete` and `integrated` are hardware GPUs; `virtual` is a hypervisor's paravirtual GPU (virgl, Venus). */
export const DEVICE_KINDS = ['discrete', 'integrated', 'virtual', 'software'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/**
 * Names of software implementations, as their drivers report them (`llvmpipe (LLVM 15.0.6, 256 bits)`,
 * `SwiftShader Device (Subzero)`). A name match, documented in docs/measurement.md: Vulkan's own
 * `VK_PHYSICAL_DEVICE_TYPE_CPU` is used too where llama.cpp reports it (the probe reads its log).
 */
const SOFTWARE_DEVICE_NAME = /\b(llvmpipe|lavapipe|softpipe|swiftshader)\b/i;
/** Paravirtual GPUs of QEMU/KVM and crosvm: the host GPU behind them is not the one measured. */
const VIRTUAL_DEVICE_NAME = /\b(virgl|venus|virtio[- ]?gpu)\b/i;

/** True when `name` is a known software (CPU) implementation of a GPU API. */
export function isSoftwareDeviceName(name: string): boolean {
  return SOFTWARE_DEVICE_NAME.test(name);
}

/**
 * The kind of a device from what the backend reports: its name, whether the driver says it is a CPU-type device,
 * and whether its memory is the host's (unified memory: an integrated GPU).
 */
export function classifyDevice(facts: {
  name: string;
  cpuType?: boolean;
  unifiedMemory?: boolean;
}): DeviceKind {
  if (facts.cpuType === true || isSoftwareDeviceName(facts.name)) return 'software';
  if (VIRTUAL_DEVICE_NAME.test(facts.name)) return 'virtual';
  return facts.unifiedMemory === true ? 'integrated' : 'discrete';
}

/** True for the kinds that are a real GPU of this machine (what a `cuda`/`vulkan`/`metal` label promises). */
export function isHardwareDeviceKind(kind: DeviceKind | undefined): boolean {
  return kind === 'discrete' || kind === 'integrated';
}
