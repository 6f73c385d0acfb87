import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  describeMissingLibraries,
  diagnoseBackend,
  missingLibrariesFromLdd,
  vulkanDriverProblem,
} from './backend-diagnosis.js';
import { parseVulkanDeviceLog } from './vulkan-device-log.js';

// `ldd libggml-cuda.so` of node-llama-cpp 3.21.1's prebuilt CUDA binary on this CI machine (CUDA 13 runtime
// installed without cuBLAS, no NVIDIA driver).
const LDD_NO_DRIVER = `\tlinux-vdso.so.1 (0x00007ffd6b9f1000)
\tlibggml-base.so => /x/bins/linux-x64-cuda/libggml-base.so (0x00007f0c1c000000)
\tlibcudart.so.13 => /usr/local/cuda-13.0/lib/libcudart.so.13 (0x00007f0c1bc00000)
\tlibcublas.so.13 => not found
\tlibcuda.so.1 => not found
\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f0c1b800000)
`;

// ggml-vulkan's debug log with GGML_VK_VISIBLE_DEVICES=0 on this machine (Mesa 22.3.6 llvmpipe).
const LLVMPIPE_LOG = [
  'ggml_vulkan: Found 1 Vulkan devices:',
  'ggml_vulkan: 0 = llvmpipe (LLVM 15.0.6, 256 bits) (llvmpipe) | uma: 0 | fp16: 1 | bf16: 0 | fp4: 0 | warp size: 8 | shared memory: 32768 | int dot: 0 | matrix cores: none',
  'ggml_vulkan: Warning: Device type is CPU. This is probably not the device you want.',
  'load_backend: loaded Vulkan backend from /x/libggml-vulkan.so',
];

describe('backend diagnosis', () => {
  test('ldd output - the missing driver is named before the missing CUDA runtime', () => {
    const missing = missingLibrariesFromLdd(LDD_NO_DRIVER);
    expect(missing).toEqual(['libcublas.so.13', 'libcuda.so.1']);
    expect(describeMissingLibraries(missing)).toBe(
      'no NVIDIA driver (libcuda.so.1 not found); no CUDA runtime (libcublas.so.13 not found)',
    );
  });

  test('cuda - on this machine the reason names what is really missing (real ldd on the prebuilt binary)', async () => {
    const reason = await diagnoseBackend('cuda');
    const hasDriver = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }).includes('libcuda.so.1');
    if (hasDriver) expect(reason ?? '').not.toMatch(/libcuda\.so\.1 not found/);
    else expect(reason).toMatch(/^cuda: no NVIDIA driver \(libcuda\.so\.1[^)]* not found\)/);
  });

  test('vulkan - no driver manifest, a named manifest that does not exist, and drivers with no device', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rigbench-icd-'));
    try {
      expect(vulkanDriverProblem({}, [path.join(dir, 'none')])).toMatch(
        /^vulkan: the Vulkan loader found no driver \(no ICD manifest in .*none\); install/,
      );
      expect(vulkanDriverProblem({ VK_ICD_FILENAMES: path.join(dir, 'gone.json') })).toBe(
        `vulkan: the Vulkan loader found no driver: VK_ICD_FILENAMES/VK_DRIVER_FILES names ${path.join(dir, 'gone.json')}, which does not exist`,
      );
      await writeFile(path.join(dir, 'nodevice_icd.json'), '{}');
      expect(vulkanDriverProblem({}, [dir])).toBe(
        'vulkan: the Vulkan loader found no device (its drivers: nodevice_icd.json)',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('vulkan log - a CPU-type warning belongs to the device line before it; uma is read', () => {
    expect(parseVulkanDeviceLog(LLVMPIPE_LOG)).toEqual([
      {
        position: 0,
        name: 'llvmpipe (LLVM 15.0.6, 256 bits)',
        driver: 'llvmpipe',
        unifiedMemory: false,
        cpuType: true,
      },
    ]);
    expect(
      parseVulkanDeviceLog([
        'ggml_vulkan: 0 = AMD Radeon 780M (RADV PHOENIX) (radv) | uma: 1 | fp16: 1',
        'ggml_vulkan: 1 = NVIDIA GeForce RTX 3060 (NVIDIA) | uma: 0 | fp16: 1',
      ]).map((d) => [d.name, d.driver, d.unifiedMemory, d.cpuType]),
    ).toEqual([
      ['AMD Radeon 780M (RADV PHOENIX)', 'radv', true, false],
      ['NVIDIA GeForce RTX 3060', 'NVIDIA', false, false],
    ]);
  });
});
