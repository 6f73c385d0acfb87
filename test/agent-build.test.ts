import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertBuilt, RIGBENCH_AGENT, runNode } from './support/binaries.js';

const llamaDir = join(dirname(fileURLToPath(import.meta.resolve('node-llama-cpp'))), '..', 'llama');

describe('rigbench-agent build (node-llama-cpp source build of its bundled release)', () => {
  let nativeDir: string;
  beforeAll(() => {
    assertBuilt();
    nativeDir = mkdtempSync(join(tmpdir(), 'rigbench-native-'));
  });
  afterAll(() => rmSync(nativeDir, { recursive: true, force: true }));

  test("--skip-compile unpacks the bundled llama.cpp release offline with node-llama-cpp's real command", async () => {
    // The compile itself takes ~15 min on 2 cores (see docs/measurement.md); this runs the same command on the
    // smallest scope: node-llama-cpp clones its git bundle into node_modules/node-llama-cpp/llama/llama.cpp.
    const result = await runNode(RIGBENCH_AGENT, ['build', '--skip-compile', '--native-dir', nativeDir]);
    expect({ code: result.code, stderr: result.stderr.slice(-1000) }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/Cloned ggml-org\/llama\.cpp \(local bundle\)/);
    expect(result.stdout).toMatch(/llama\.cpp source unpacked in \d+\.\d s \(not compiled\)/);
    // Progress redraws are folded: no line repeats twice in a row.
    const lines = result.stdout.split('\n');
    for (let i = 1; i < lines.length; i++) expect(lines[i] === lines[i - 1] && lines[i] !== '').toBe(false);
    expect(existsSync(join(llamaDir, 'llama.cpp', 'CMakeLists.txt'))).toBe(true);
    const info = JSON.parse(readFileSync(join(llamaDir, 'llama.cpp.info.json'), 'utf8')) as { tag: string };
    expect(result.stdout).toContain(`Release: ${info.tag}`);
    // Then the thread-pool shim, compiled with the node's cc against the unpacked release's headers.
    expect(result.stdout).toMatch(/thread-pool shim .*ggml-threadpool-shim-[0-9a-f]{16}\.so/);
  }, 120_000);

  test('--thread-pool-only builds the shim alone, once: a second call finds it', async () => {
    const dir = join(nativeDir, 'only');
    const first = await runNode(RIGBENCH_AGENT, ['build', '--thread-pool-only', '--native-dir', dir]);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^ggml-threadpool-shim-[0-9a-f]{16}\.so$/)]);
    const second = await runNode(RIGBENCH_AGENT, ['build', '--thread-pool-only', '--native-dir', dir]);
    expect(second.stdout).toBe(first.stdout);
    // No compiler: the shim cannot be built and the command says so (exit 2, a missing tool).
    const none = await runNode(
      RIGBENCH_AGENT,
      ['build', '--thread-pool-only', '--native-dir', join(dir, 'x')],
      {
        CC: 'rigbench-no-such-cc',
      },
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      'cannot build the ggml thread-pool shim: rigbench-no-such-cc is not on the PATH',
    );
  }, 120_000);

  test('a GPU build without its toolkit is refused before anything starts, naming what is missing', async () => {
    // This machine has no CUDA toolkit; PATH is cut down so that nvcc cannot be found either way.
    const result = await runNode(RIGBENCH_AGENT, ['build', '--gpu', 'cuda'], {
      PATH: '/usr/bin:/bin',
      CUDA_PATH: '/nonexistent',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/CUDA toolkit \(nvcc\)/);
    expect(result.stdout).toBe('');
  });

  test('bad arguments and --help', async () => {
    const bad = await runNode(RIGBENCH_AGENT, ['build', '--gpu', 'rocm']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--gpu 'rocm' is not one of false, cuda, vulkan");
    const help = await runNode(RIGBENCH_AGENT, ['build', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: rigbench-agent build/);
    expect(help.stdout).toContain('build: [prebuilt, local]');
  });
});
