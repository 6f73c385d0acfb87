import { Gauge, type Registry } from 'prom-client';
import type { LatencySummary, LoadLevelRecord } from '@rigbench/shared';
import { CASE_LABELS, type CaseLabelValues } from './case-result-gauges.js';

/**
 * Labels of the load-level gauges: the case's labels (`prompt` = the plan's load test id) and the level's
 * `concurrency`, which the plan bounds (its `concurrency` list), so one series per level of the sweep.
 */
export const LOAD_LEVEL_LABELS = [...CASE_LABELS, 'concurrency'] as const;
type LoadLevelLabel = (typeof LOAD_LEVEL_LABELS)[number];

/** The p90 of a latency summary (milliseconds) in seconds. */
const p90Seconds = (summary: LatencySummary): number | null =>
  summary.p90 === null ? null : summary.p90 / 1000;

/**
 * The last serving-load result at every concurrency level, as gauges: a concurrency sweep becomes a throughput and
 * latency curve in Prometheus (`rigbench_load_output_tokens_per_second` by `concurrency`). Set from each level's
 * `load.level.recorded` figures as they are (the same numbers the store and the HTML load curve show; names after
 * vLLM `bench serve`'s). A level without a value (no SLO set, no token came) leaves that gauge as it was.
 */
export class LoadLevelGauges {
  private readonly output: Gauge<LoadLevelLabel>;
  private readonly requests: Gauge<LoadLevelLabel>;
  private readonly goodput: Gauge<LoadLevelLabel>;
  private readonly attainment: Gauge<LoadLevelLabel>;
  private readonly ttftP90: Gauge<LoadLevelLabel>;
  private readonly itlP90: Gauge<LoadLevelLabel>;
  private readonly e2elP90: Gauge<LoadLevelLabel>;
  private readonly completed: Gauge<LoadLevelLabel>;
  private readonly tokensPerJoule: Gauge<LoadLevelLabel>;

  constructor(registry: Registry) {
    const gauge = (name: string, help: string) =>
      new Gauge({ name, help, labelNames: LOAD_LEVEL_LABELS, registers: [registry] });
    this.output = gauge(
      'rigbench_load_output_tokens_per_second',
      'Output tokens per second of all requests together at this concurrency (vLLM output_throughput).',
    );
    this.requests = gauge(
      'rigbench_load_requests_per_second',
      'Completed requests per second at this concurrency (vLLM request_throughput).',
    );
    this.goodput = gauge(
      'rigbench_load_goodput_requests_per_second',
      "Requests per second that met every SLO of the plan's load test (set only when the test sets SLOs).",
    );
    this.attainment = gauge(
      'rigbench_load_slo_attainment_ratio',
      'Fraction of the requests that met every SLO (set only when the test sets SLOs).',
    );
    this.ttftP90 = gauge(
      'rigbench_load_ttft_p90_seconds',
      'p90 time to first token from arrival (queueing included) at this concurrency, seconds.',
    );
    this.itlP90 = gauge(
      'rigbench_load_itl_p90_seconds',
      'p90 of every inter-token gap of every request at this concurrency, seconds.',
    );
    this.e2elP90 = gauge(
      'rigbench_load_e2el_p90_seconds',
      'p90 end-to-end request latency from arrival at this concurrency, seconds.',
    );
    this.completed = gauge(
      'rigbench_load_completed_requests',
      'Requests behind the figures of this concurrency level.',
    );
    this.tokensPerJoule = gauge(
      'rigbench_load_output_tokens_per_joule',
      "Output tokens per joule over the level's wall time, GPU + CPU packages, idle included (set only with a power source).",
    );
  }

  /** Sets the gauges of one level of the case with `labels`. */
  observe(labels: CaseLabelValues, level: LoadLevelRecord): void {
    const l = { ...labels, concurrency: String(level.concurrency) };
    const s = level.summary;
    const set = (gauge: Gauge<LoadLevelLabel>, value: number | null): void => {
      if (value !== null && Number.isFinite(value)) gauge.set(l, value);
    };
    set(this.output, s.output_throughput);
    set(this.requests, s.request_throughput);
    set(this.goodput, s.goodput);
    set(this.attainment, s.sloAttainment);
    set(this.ttftP90, p90Seconds(s.ttft));
    set(this.itlP90, p90Seconds(s.itl));
    set(this.e2elP90, p90Seconds(s.e2el));
    set(this.completed, s.completed);
    set(this.tokensPerJoule, level.energy?.outputTokensPerJoule ?? null);
  }
}
