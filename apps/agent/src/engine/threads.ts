/**
 * Threads policy. llama.cpp's CPU backend runs `n` compute threads per decode: the thread that calls
 * `llama_decode` (a libuv pool thread in node-llama-cpp) plus `n - 1` helpers ggml starts for that decode (the
 * prebuilt binaries attach no persistent pool). With libuv's default four pool threads the helper was queued on
 * the busy CPU and 2-thread decode lost 5x; workers now run with `UV_THREADPOOL_SIZE=1` (inference-engine.ts), and
 * then every physical core pays on this box for decode and prompt processing alike (docs/measurement.md, "Threads").
 * So `auto` is llama.cpp's own default, the physical cores, unless the node was tuned: `rigbench tune` measures the
 * best counts for decode and for prompt processing and writes them as the agent's `threads.autoDecode` /
 * `threads.autoPrompt`, which `auto` then uses.
 */
import type { CaseWorkload, Threads } from '@rigbench/shared';

/** Thread counts a node was tuned to (`rigbench tune`); null where it was not, and the rule applies. */
export interface TunedThreads {
  /** For chat cases and raw tests that generate tokens. */
  decode: number | null;
  /** For raw tests that only process a prompt (llama-bench `pp`). */
  prompt: number | null;
}

/** Threads `auto` resolves to on a machine with `physicalCores` cores: all of them (llama.cpp's default), at least one. */
export function autoThreads(physicalCores: number): number {
  return Math.max(1, Math.floor(physicalCores));
}

/** Which tuned count applies to a workload: prompt-only raw tests are prompt processing, the rest decode. */
export function threadsPhase(workload: CaseWorkload): keyof TunedThreads {
  return workload.mode === 'raw' && workload.test.generatedTokens === 0 ? 'prompt' : 'decode';
}

/** The thread count passed to llama.cpp for a case; never the library default. */
export function resolveThreads(
  threads: Threads,
  physicalCores: number,
  tuned?: { workload: CaseWorkload; threads: TunedThreads },
): number {
  if (threads === 'auto')
    return (tuned && tuned.threads[threadsPhase(tuned.workload)]) || autoThreads(physicalCores);
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`threads must be 'auto' or an integer >= 1, got ${String(threads)}`);
  return threads;
}
