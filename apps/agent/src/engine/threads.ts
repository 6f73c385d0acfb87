/**
 * Threads policy. llama.cpp's CPU backend runs `n` compute threads per decode: the thread that calls
 * `llama_decode` (a libuv pool thread in node-llama-cpp) plus `n - 1` it starts. The worker's JS thread wakes
 * between decodes (promise resolution, IPC), so with `n` equal to the physical cores one compute thread is
 * descheduled whenever the event loop runs, and ggml's spinning barrier makes every other thread wait for it.
 * `auto` therefore leaves one physical core to the event loop, unless the node was tuned: `rigbench tune` measures
 * the best counts for decode and for prompt processing and writes them as the agent's `threads.autoDecode` /
 * `threads.autoPrompt`, which `auto` then uses (docs/measurement.md has the figures).
 */
import type { CaseWorkload, Threads } from '@rigbench/shared';

/** Thread counts a node was tuned to (`rigbench tune`); null where it was not, and the rule applies. */
export interface TunedThreads {
  /** For chat cases and raw tests that generate tokens. */
  decode: number | null;
  /** For raw tests that only process a prompt (llama-bench `pp`). */
  prompt: number | null;
}

/** Threads `auto` resolves to on a machine with `physicalCores` cores: all but one, at least one. */
export function autoThreads(physicalCores: number): number {
  return Math.max(1, Math.floor(physicalCores) - 1);
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
