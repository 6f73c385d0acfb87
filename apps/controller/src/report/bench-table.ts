import type { Summary } from '@rigbench/shared';
import type { GroupStats } from './report-data.js';

/** One row of the llama-bench style table. */
export interface BenchRow {
  group: GroupStats;
  model: string;
  backend: string;
  devices: string;
  /** Threads used, with the plan's `auto` noted: `4 (auto)`. */
  threads: string;
  test: string;
  /** Which rate `tokensPerSecond` is: prompt processing for pp-only tests, generation otherwise. */
  rate: 'prompt' | 'decode';
  tokensPerSecond: Summary | null;
}

/**
 * llama-bench style rows: pp-only tests report prompt t/s, everything that generates (tg, pp+tg, chat) reports
 * decode t/s, as llama-bench's `t/s` column does for `-p` and `-n` tests.
 */
export function buildBenchRows(groups: readonly GroupStats[]): BenchRow[] {
  // Load levels (test `load:…`, see testName) record no samples: the serving-load table reports them.
  return groups
    .filter((g) => !g.descriptor.test.startsWith('load:'))
    .map((g) => {
      const d = g.descriptor;
      const ppOnly = /^pp\d+( @ d\d+)?$/.test(d.test);
      const used = g.threadsUsed.join(',') || '—';
      return {
        group: g,
        model: d.model,
        backend: d.backend,
        devices: d.devices,
        threads: d.threads === 'auto' ? `${used} (auto)` : used,
        test: d.test,
        rate: ppOnly ? 'prompt' : 'decode',
        tokensPerSecond: ppOnly ? g.metrics.promptTokensPerSecond : g.metrics.decodeTokensPerSecond,
      };
    });
}
