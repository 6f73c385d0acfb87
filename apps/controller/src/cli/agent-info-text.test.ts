import type { AgentRpc } from '@rigbench/shared';
import { deviceTable, formatInfo } from './agent-info-text.js';

const GIB = 1024 ** 3;
const gpu = (overrides: Partial<AgentRpc.Gpu__Output>): AgentRpc.Gpu__Output => ({
  index: 0,
  name: '',
  uuid: '',
  vram_total_bytes: '0',
  vram_used_bytes: '0',
  driver_version: '',
  kind: '',
  vram_free_bytes: '0',
  ...overrides,
});

/** GetInfo of a two-P104-100 box as the agent builds it from nvidia-smi (stand-in: no NVIDIA GPU in CI). */
const P104_INFO: AgentRpc.AgentInfo__Output = {
  id: 'p104-box',
  labels: { gpu: 'p104-100' },
  versions: { rigbench: '0.1.0', node_llama_cpp: '3.21.1', llama_cpp: 'b6000', node: 'v20.19.0' },
  hardware: null,
  backends: ['cpu', 'cuda', 'vulkan'],
  busy: false,
  current_run_id: '',
  active_run_ids: [],
  limits: null,
  address: '10.0.0.7:50051',
  state: 'running',
  backend_status: [
    { backend: 'cpu', loaded: true, available: true, reason: '', devices: [], default_devices: [] },
    {
      backend: 'cuda',
      loaded: true,
      available: true,
      reason: '',
      devices: [0, 1].map((index) =>
        gpu({
          index,
          name: 'NVIDIA P104-100',
          kind: 'discrete',
          uuid: `GPU-${index}a1b`,
          vram_total_bytes: String(8 * GIB),
          vram_free_bytes: String(7 * GIB),
          driver_version: '535.183.01',
        }),
      ),
      default_devices: [0, 1],
    },
    {
      backend: 'vulkan',
      loaded: true,
      available: true,
      reason: '',
      devices: [gpu({ index: 2, name: 'llvmpipe (LLVM 15.0.6, 256 bits)', kind: 'software' })],
      default_devices: [],
    },
    {
      backend: 'metal',
      loaded: false,
      available: false,
      reason: 'metal: only available on macOS',
      devices: [],
      default_devices: [],
    },
  ],
};

describe('rigbench info text', () => {
  test('device table - per device of each backend: index, name, kind, VRAM, default use, uuid, driver (stand-in two P104-100)', () => {
    expect(deviceTable(P104_INFO.backend_status)).toEqual([
      'BACKEND  INDEX  NAME                              KIND      VRAM     FREE     DEFAULT  UUID      DRIVER',
      'cuda     0      NVIDIA P104-100                   discrete  8.0 GiB  7.0 GiB  yes      GPU-0a1b  535.183.01',
      'cuda     1      NVIDIA P104-100                   discrete  8.0 GiB  7.0 GiB  yes      GPU-1a1b  535.183.01',
      'vulkan   2      llvmpipe (LLVM 15.0.6, 256 bits)  software  -        -        no       -         -',
    ]);
  });

  test('formatInfo - says why each unavailable backend is missing, then the device table', () => {
    const lines = formatInfo(P104_INFO);
    expect(lines).toContain('  no metal  metal: only available on macOS');
    expect(lines).toContain('  devices');
    expect(lines.some((line) => /^ {4}cuda +1 +NVIDIA P104-100 +discrete/.test(line))).toBe(true);
  });

  test('formatInfo - host line: operating system (as in fingerprints), platform-arch, kernel; older agents send no os', () => {
    const hardware: AgentRpc.Hardware__Output = {
      cpu_model: 'Intel Xeon E5-2680 v4',
      physical_cores: 14,
      logical_cores: 28,
      memory_bytes: String(64 * GIB),
      gpus: [],
      platform: 'linux-x64',
      kernel: '6.8.0-45-generic',
      hostname: 'p104-box',
      os: 'linux (Ubuntu 24.04.1 LTS)',
    };
    expect(formatInfo({ ...P104_INFO, hardware })).toContain(
      '  host      p104-box, linux (Ubuntu 24.04.1 LTS), linux-x64, kernel 6.8.0-45-generic',
    );
    expect(formatInfo({ ...P104_INFO, hardware: { ...hardware, os: '' } })).toContain(
      '  host      p104-box, linux-x64, kernel 6.8.0-45-generic',
    );
  });
});
