/**
 * Threads policy. llama.cpp's CPU backend runs `n` compute threads per decode: the thread that calls
 * `llama_decode` (a libuv pool thread in node-llama-cpp) plus `n - 1` it starts. The worker's JS thread wakes
 * between decodes (promise resolution, IPC), so with `n` equal to the physical cores one compute thread is
 * descheduled whenever the event loop runs, and ggml's spinning barrier makes every other thread wait for it.
 * `auto` therefore leaves one physical core to the event loop. On the 2-core development box, 1 thread beat
 * 2 threads for tg by a wide margin (see docs/measurement.md for the figures).
 */
import type { Threads } from '@rigbench/shared';

/** Threads `auto` resolves to on a machine with `physicalCores` cores: all but one, at least one. */
export function autoThreads(physicalCores: number): number {
  return Math.max(1, Math.floor(physicalCores) - 1);
}

/** The thread count passed to llama.cpp for a case; never the library default. */
export function resolveThreads(threads: Threads, physicalCores: number): number {
  if (threads === 'auto') return autoThreads(physicalCores);
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`threads must be 'auto' or an integer >= 1, got ${String(threads)}`);
  return threads;
}
