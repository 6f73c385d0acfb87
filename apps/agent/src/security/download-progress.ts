/**
 * Download progress as the agent reports it on the run's event stream (`model.download` events): throttled to
 * at most one report a second or one per 5 % of the bytes, whichever comes first, plus one when it completes.
 */

/** One progress report of a model download. */
export interface DownloadProgress {
  /** The plan's model source (`hf:…`). */
  source: string;
  /** Bytes present so far. */
  downloadedBytes: number;
  /** Bytes of the whole download. */
  totalBytes: number;
  /** True once every byte is present. */
  done: boolean;
}

/** Receives download progress; called synchronously from the download's progress callback. */
export type DownloadProgressListener = (progress: DownloadProgress) => void;

/** When to report: at most every `intervalMs` or every `step` of the total (fractions), and at completion. */
export interface ProgressThrottleOptions {
  intervalMs?: number;
  step?: number;
  now?: () => number;
}

/**
 * Wraps `listener` so that only reports worth sending reach it: the first, then one per `intervalMs` (default
 * 1 s) or per `step` (default 5 %) of `totalBytes`, and the completing one (`done`) exactly once.
 */
export function throttledProgress(
  source: string,
  totalBytes: number,
  listener: DownloadProgressListener,
  options: ProgressThrottleOptions = {},
): (downloadedBytes: number) => void {
  const intervalMs = options.intervalMs ?? 1000;
  const stepBytes = Math.max(1, Math.floor(totalBytes * (options.step ?? 0.05)));
  const now = options.now ?? Date.now;
  let lastAt = Number.NEGATIVE_INFINITY;
  let lastBytes = Number.NEGATIVE_INFINITY;
  let finished = false;
  return (downloadedBytes) => {
    if (finished) return;
    const done = downloadedBytes >= totalBytes;
    const at = now();
    if (!done && at - lastAt < intervalMs && downloadedBytes - lastBytes < stepBytes) return;
    lastAt = at;
    lastBytes = downloadedBytes;
    finished = done;
    listener({ source, downloadedBytes: Math.min(downloadedBytes, totalBytes), totalBytes, done });
  };
}
