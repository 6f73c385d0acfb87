/**
 * Model downloads (`hf:` sources) under the owner's control: off unless the agent's config turns them on, only
 * from allowed repositories, only `.gguf` files, no bigger than a cap, never filling the disk below a reserve,
 * and cancellable (the run's signal: CancelRun and shutdown abort the transfer). A plan is checked against the
 * policy at StartRun, before anything is fetched; size and free space are checked once the download's size is
 * known, before its first byte is written.
 */
import { stat, statfs } from 'node:fs/promises';
import { throttledProgress } from './download-progress.js';
import { ModelReferenceError, type ModelUriResolver } from './model-path.js';
import type { Logger } from '@rigbench/shared';

/** The agent's download policy (config `downloads.*`). */
export interface DownloadPolicy {
  enabled: boolean;
  /** `user/repo` or `user/*` entries; a source must match one. */
  allowRepos: readonly string[];
  /** Largest download, in bytes (all files of a split model together). */
  maxBytes: number;
  /** Free bytes that must remain on the models directory's file system after the download. */
  minFreeBytes: number;
}

/** A download the policy does not allow, or one that would not fit. */
export class ModelDownloadRefusedError extends ModelReferenceError {
  override name = 'ModelDownloadRefusedError';
}

/** The `user/repo` of an `hf:` source (`hf:user/repo`, `hf:user/repo:QUANT`, `hf:user/repo/file.gguf`). */
export function hfRepo(source: string): string | null {
  const match = /^hf:([^/:\s]+)\/([^/:#\s]+)/.exec(source);
  return match ? `${match[1]}/${match[2]}` : null;
}

/** Throws {@link ModelDownloadRefusedError} when `source` may not be downloaded under `policy`. */
export function checkDownloadAllowed(source: string, policy: DownloadPolicy): void {
  if (!policy.enabled) {
    throw new ModelDownloadRefusedError(
      source,
      `${source}: model downloads are off on this agent (downloads.enabled); copy the GGUF file into the ` +
        'models directory and name it by its path, or ask the owner to enable downloads',
    );
  }
  const repo = hfRepo(source);
  const allowed =
    repo !== null &&
    policy.allowRepos.some((entry) =>
      entry.endsWith('/*') ? repo.startsWith(entry.slice(0, -1)) : entry === repo,
    );
  if (!allowed) {
    throw new ModelDownloadRefusedError(
      source,
      `${source}: repository ${repo ?? '(none)'} is not in this agent's downloads.allowRepos ` +
        `(${policy.allowRepos.join(', ') || 'empty'})`,
    );
  }
  const file = source.slice(3).split('/').slice(2).join('/').split('#')[0] ?? '';
  if (file !== '' && !/\.gguf$/i.test(file)) {
    throw new ModelDownloadRefusedError(source, `${source}: only .gguf files are downloaded, not '${file}'`);
  }
}

/** A download whose size is known and that has not started. */
export interface PlannedDownload {
  /** Name of the file the model loads from. */
  entrypointFilename: string;
  /** Bytes of every file together. */
  totalSize: number;
  /** Paths the files will have (to count what is already there). */
  filePaths: readonly string[];
  /** Downloads (or finds complete) the files; rejects when `signal` aborts. Resolves with the entrypoint path. */
  download(signal: AbortSignal | undefined, onProgress: (downloaded: number) => void): Promise<string>;
}

/** Looks up a download without fetching it: node-llama-cpp's `createModelDownloader` in production. */
export type DownloadPlanner = (
  uri: string,
  directory: string,
  signal?: AbortSignal,
) => Promise<PlannedDownload>;

/**
 * node-llama-cpp's downloader: resolves the URI (one small request), downloads only when asked. `huggingFace`
 * replaces the Hugging Face endpoint (a mirror; node-llama-cpp also reads `HF_ENDPOINT`).
 */
export function createNodeLlamaCppDownloadPlanner(endpoints: { huggingFace?: string } = {}): DownloadPlanner {
  return async (uri, directory) => {
    const { createModelDownloader } = await import('node-llama-cpp');
    let onProgress: (downloaded: number) => void = () => undefined;
    const downloader = await createModelDownloader({
      modelUri: uri,
      dirPath: directory,
      showCliProgress: false,
      ...(endpoints.huggingFace ? { endpoints: { huggingFace: endpoints.huggingFace } } : {}),
      onProgress: (status) => onProgress(status.downloadedSize),
    });
    return {
      entrypointFilename: downloader.entrypointFilename,
      totalSize: downloader.totalSize,
      filePaths: downloader.filesInfo.map((file) => file.filePath),
      download: (signal, progress) => {
        onProgress = progress;
        return downloader.download(signal ? { signal } : {});
      },
    };
  };
}

/** {@link createNodeLlamaCppDownloadPlanner} with the default endpoint. */
export const nodeLlamaCppDownloadPlanner: DownloadPlanner = createNodeLlamaCppDownloadPlanner();

/** Free bytes for unprivileged users on the file system holding `path`. */
export async function freeBytes(path: string): Promise<number> {
  const stats = await statfs(path);
  return stats.bavail * stats.bsize;
}

async function presentBytes(paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const path of paths)
    total += await stat(path).then(
      (s) => s.size,
      () => 0,
    );
  return total;
}

/**
 * A {@link ModelUriResolver} that enforces `policy` around `planner`: allowed source, `.gguf` entrypoint, size
 * cap and free-space reserve checked before the transfer starts, progress logged every 10 % and handed to the
 * caller's `onProgress` (throttled, see `download-progress.ts`), aborted by `signal`.
 */
export function guardedUriResolver(
  policy: DownloadPolicy,
  planner: DownloadPlanner,
  logger: Pick<Logger, 'info'>,
  free: (path: string) => Promise<number> = freeBytes,
): ModelUriResolver {
  return async (uri, directory, signal, onProgress) => {
    checkDownloadAllowed(uri, policy);
    signal?.throwIfAborted();
    const plan = await planner(uri, directory, signal);
    if (!/\.gguf$/i.test(plan.entrypointFilename)) {
      throw new ModelDownloadRefusedError(
        uri,
        `${uri} resolves to '${plan.entrypointFilename}', not a .gguf file; nothing was downloaded`,
      );
    }
    if (plan.totalSize > policy.maxBytes) {
      throw new ModelDownloadRefusedError(
        uri,
        `${uri} is ${plan.totalSize} bytes, more than this agent's downloads.maxBytes = ${policy.maxBytes}`,
      );
    }
    const missing = Math.max(0, plan.totalSize - (await presentBytes(plan.filePaths)));
    const available = await free(directory);
    if (missing > 0 && available - missing < policy.minFreeBytes) {
      throw new ModelDownloadRefusedError(
        uri,
        `${uri} needs ${missing} more bytes in ${directory}, which has ${available} free; downloads keep ` +
          `downloads.minFreeBytes = ${policy.minFreeBytes} free`,
      );
    }
    signal?.throwIfAborted();
    logger.info('model download starting', { uri, bytes: plan.totalSize, missing });
    let reported = 0;
    const report = onProgress ? throttledProgress(uri, plan.totalSize, onProgress) : () => undefined;
    report(plan.totalSize - missing);
    const path = await plan.download(signal, (downloaded) => {
      report(downloaded);
      const tenth = plan.totalSize > 0 ? Math.floor((downloaded / plan.totalSize) * 10) : 10;
      if (tenth > reported) {
        reported = tenth;
        logger.info('model download progress', {
          uri,
          downloaded,
          bytes: plan.totalSize,
          percent: tenth * 10,
        });
      }
    });
    // A download with nothing missing (or a downloader that did not report the last bytes) still completes.
    report(plan.totalSize);
    logger.info('model download finished', { uri, path });
    return path;
  };
}
