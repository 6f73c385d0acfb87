import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkDownloadAllowed,
  freeBytes,
  guardedUriResolver,
  ModelDownloadRefusedError,
  type DownloadPlanner,
  type DownloadPolicy,
  type PlannedDownload,
} from './model-download.js';

const policy: DownloadPolicy = {
  enabled: true,
  allowRepos: ['bartowski/*', 'unsloth/Qwen3-0.6B-GGUF'],
  maxBytes: 1_000_000,
  minFreeBytes: 0,
};
const quiet = { info: () => undefined };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rigbench-download-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for node-llama-cpp's downloader (no network here): a plan of `totalSize` bytes. */
function standInPlanner(
  totalSize: number,
  entrypointFilename = 'model-Q4_K_M.gguf',
  download: PlannedDownload['download'] = async () => join(dir, entrypointFilename),
): DownloadPlanner & { downloads: number } {
  const planner = Object.assign(
    async (): Promise<PlannedDownload> => ({
      entrypointFilename,
      totalSize,
      filePaths: [join(dir, entrypointFilename)],
      download: (signal, progress) => {
        planner.downloads += 1;
        return download(signal, progress);
      },
    }),
    { downloads: 0 },
  );
  return planner;
}

test('checkDownloadAllowed - off by default, allow-listed repositories only, .gguf files only', () => {
  expect(() => checkDownloadAllowed('hf:bartowski/x-GGUF:Q4_K_M', { ...policy, enabled: false })).toThrow(
    /model downloads are off on this agent \(downloads\.enabled\)/,
  );
  expect(() => checkDownloadAllowed('hf:evil/repo:Q4_K_M', policy)).toThrow(
    /repository evil\/repo is not in this agent's downloads\.allowRepos \(bartowski\/\*, unsloth\/Qwen3-0\.6B-GGUF\)/,
  );
  expect(() => checkDownloadAllowed('hf:unsloth/Qwen3-0.6B-GGUF/model.safetensors', policy)).toThrow(
    /only \.gguf files are downloaded, not 'model\.safetensors'/,
  );
  expect(() => checkDownloadAllowed('hf:unsloth/Qwen3-0.6B-GGUF-other:Q4', policy)).toThrow(
    ModelDownloadRefusedError,
  );
  expect(() => checkDownloadAllowed('hf:bartowski/any-GGUF:Q8_0', policy)).not.toThrow();
  expect(() =>
    checkDownloadAllowed('hf:unsloth/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q4_K_M.gguf', policy),
  ).not.toThrow();
});

test('guardedUriResolver (stand-in downloader) - size cap, free-disk reserve and .gguf entrypoint before any byte', async () => {
  const tooBig = standInPlanner(2_000_000);
  await expect(guardedUriResolver(policy, tooBig, quiet)('hf:bartowski/a-GGUF:Q4', dir)).rejects.toThrow(
    /is 2000000 bytes, more than this agent's downloads\.maxBytes = 1000000/,
  );
  const noRoom = standInPlanner(500_000);
  const tightDisk = guardedUriResolver(
    { ...policy, minFreeBytes: 1_000_000 },
    noRoom,
    quiet,
    async () => 1_200_000,
  );
  await expect(tightDisk('hf:bartowski/a-GGUF:Q4', dir)).rejects.toThrow(
    /needs 500000 more bytes in .*, which has 1200000 free; downloads keep downloads\.minFreeBytes = 1000000 free/,
  );
  const notGguf = standInPlanner(10, 'model.bin');
  await expect(guardedUriResolver(policy, notGguf, quiet)('hf:bartowski/a-GGUF:Q4', dir)).rejects.toThrow(
    /resolves to 'model\.bin', not a \.gguf file/,
  );
  expect(tooBig.downloads + noRoom.downloads + notGguf.downloads).toBe(0);
  const fine = standInPlanner(1000);
  expect(await guardedUriResolver(policy, fine, quiet)('hf:bartowski/a-GGUF:Q4', dir)).toBe(
    join(dir, 'model-Q4_K_M.gguf'),
  );
  expect(fine.downloads).toBe(1);
  // The real free-space reading of this file system, as the guard uses by default.
  expect(await freeBytes(dir)).toBeGreaterThan(0);
});

test('guardedUriResolver (stand-in downloader) - the run signal aborts a download in progress; progress is logged', async () => {
  const lines: Array<Record<string, unknown> | undefined> = [];
  let started!: () => void;
  const inProgress = new Promise<void>((resolve) => (started = resolve));
  const hanging = standInPlanner(1000, 'm.gguf', (signal, progress) => {
    progress(300);
    progress(550);
    started();
    return new Promise<string>((_resolve, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
  });
  const controller = new AbortController();
  const pending = guardedUriResolver(policy, hanging, { info: (_m, d) => lines.push(d) })(
    'hf:bartowski/a-GGUF:Q4',
    dir,
    controller.signal,
  );
  await inProgress;
  controller.abort(new Error('cancelled by request'));
  await expect(pending).rejects.toThrow('cancelled by request');
  // Aborted before it starts: the transfer is never begun.
  const early = standInPlanner(1000);
  const aborted = AbortSignal.abort(new Error('agent shutting down'));
  await expect(
    guardedUriResolver(policy, early, quiet)('hf:bartowski/a-GGUF:Q4', dir, aborted),
  ).rejects.toThrow('agent shutting down');
  expect(early.downloads).toBe(0);
  expect(lines.map((d) => d?.['percent']).filter((p) => p !== undefined)).toEqual([30, 50]);
});
