import { classifyDevice, isHardwareDeviceKind, isSoftwareDeviceName } from './device-kind.js';

describe('device kind', () => {
  test('classifyDevice - Mesa llvmpipe, lavapipe and SwiftShader are software devices, by name or CPU type', () => {
    expect(classifyDevice({ name: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe('software');
    expect(classifyDevice({ name: 'Lavapipe' })).toBe('software');
    expect(classifyDevice({ name: 'SwiftShader Device (Subzero)' })).toBe('software');
    expect(classifyDevice({ name: 'Some future CPU rasteriser', cpuType: true })).toBe('software');
    expect(isSoftwareDeviceName('NVIDIA GeForce RTX 4090')).toBe(false);
  });

  test('classifyDevice - paravirtual GPUs are virtual; unified memory means integrated; otherwise discrete', () => {
    expect(classifyDevice({ name: 'Virtio-GPU Venus (Intel(R) Arc(tm) A770)' })).toBe('virtual');
    expect(classifyDevice({ name: 'virgl (AMD Radeon)' })).toBe('virtual');
    expect(classifyDevice({ name: 'AMD Radeon 780M (RADV PHOENIX)', unifiedMemory: true })).toBe(
      'integrated',
    );
    expect(classifyDevice({ name: 'P104-100' })).toBe('discrete');
    expect(
      ['discrete', 'integrated', 'virtual', 'software'].map((k) => isHardwareDeviceKind(k as never)),
    ).toEqual([true, true, false, false]);
  });
});
