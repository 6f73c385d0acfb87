import { describe, expect, test } from '@jest/globals';
import type { LoadLevelRecord } from '@rigbench/shared';
import {
  curvePoints,
  loadJson,
  loadLevelTable,
  loadSweeps,
  sloText,
  type LoadReportLevel,
} from './load-report.js';

const summary = (throughput: number): LoadLevelRecord['summary'] => ({
  completed: 2,
  durationSeconds: 1,
  request_throughput: 2,
  output_throughput: throughput,
  total_token_throughput: throughput,
  ttft: { mean: 10, median: 10, p90: 12.345678912345, p99: 13 },
  tpot: { mean: 5, median: 5, p90: 5, p99: 5 },
  itl: { mean: 5, median: 5, p90: 6, p99: 7 },
  e2el: { mean: 50, median: 50, p90: 60, p99: 70 },
  goodput: null,
  sloAttainment: null,
});

const at = (runId: string, concurrency: number, throughput: number): LoadReportLevel => ({
  runId,
  runLabel: runId === 'r1' ? 'morning' : null,
  agentId: 'box',
  caseId: `c-${concurrency}`,
  model: 'small',
  backend: 'cpu',
  level: {
    testId: 'serve',
    concurrency,
    stream: 'poisson',
    arrivalRate: 4,
    slo: null,
    maxTokens: 8,
    threads: 1,
    summary: summary(throughput),
    requests: [],
  },
});

describe('load report', () => {
  test('load report - one sweep per run (named by label, else id) with its levels by concurrency', () => {
    const sweeps = loadSweeps([at('r1', 4, 30), at('r1', 1, 10), at('r2', 1, 11)], true);
    expect(sweeps.map((s) => s.title)).toEqual([
      'box small cpu serve, Poisson 4 req/s, t=1 (morning)',
      'box small cpu serve, Poisson 4 req/s, t=1 (r2)',
    ]);
    expect(curvePoints(sweeps[0]!).map((p) => [p.concurrency, p.outputThroughput])).toEqual([
      [1, 10],
      [4, 30],
    ]);
    // Without SLOs: no goodput, no attainment, said as "none".
    const table = loadLevelTable(sweeps);
    expect(table.rows[0]!.slice(-3)).toEqual(['—', '—', 'none']);
    expect(loadSweeps([at('r1', 1, 10)], false)[0]!.title).toBe('box small cpu serve, Poisson 4 req/s, t=1');
  });

  test('load report - SLO text and json figures to 9 significant digits', () => {
    expect(sloText({ ttftMs: 2000, itlP90Ms: 100 })).toBe('TTFT ≤ 2000 ms, ITL p90 ≤ 100 ms');
    expect(sloText({})).toBe('none');
    const [json] = loadJson([at('r1', 1, 10)]) as [{ summary: { ttft: { p90: number } } }];
    expect(json.summary.ttft.p90).toBe(12.3456789);
  });
});
