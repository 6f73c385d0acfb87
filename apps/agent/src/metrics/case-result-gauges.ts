import { Gauge, type Registry } from 'prom-client';
import type { Sample } from '@rigbench/shared';

/** Labels of the per-case gauges: what a case measured, bounded by the plan (never a run or case id). */
export const CASE_LABELS = ['node', 'model', 'backend', 'devices', 'threads', 'prompt'] as const;
/** One value per label of {@link CASE_LABELS}. */
export type CaseLabelValues = Record<(typeof CASE_LABELS)[number], string>;

interface Pending {
  labels: CaseLabelValues;
  decode: number[];
  ttft: number[];
  prompt: number[];
}

/** Median of a non-empty list (mean of the middle two for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The last result of every case, as gauges: the median of its measured repetitions for decode t/s, TTFT and
 * prompt t/s, set when the case finishes `ok`, and the time it finished. Exact figures (the store's, not a
 * bucket's), for dashboards and the regression alert; one series per (model, backend, devices, threads, prompt).
 */
export class CaseResultGauges {
  private readonly decode: Gauge<(typeof CASE_LABELS)[number]>;
  private readonly ttft: Gauge<(typeof CASE_LABELS)[number]>;
  private readonly prompt: Gauge<(typeof CASE_LABELS)[number]>;
  private readonly samples: Gauge<(typeof CASE_LABELS)[number]>;
  private readonly finishedAt: Gauge<(typeof CASE_LABELS)[number]>;
  private readonly pending = new Map<string, Pending>();

  constructor(registry: Registry) {
    const gauge = (name: string, help: string) =>
      new Gauge({ name, help, labelNames: CASE_LABELS, registers: [registry] });
    this.decode = gauge(
      'rigbench_case_decode_tokens_per_second',
      'Median decode rate of the measured repetitions of the last finished case, tokens per second.',
    );
    this.ttft = gauge(
      'rigbench_case_ttft_seconds',
      'Median time to first token of the measured repetitions of the last finished case, seconds.',
    );
    this.prompt = gauge(
      'rigbench_case_prompt_tokens_per_second',
      'Median prompt processing rate of the measured repetitions of the last finished case, tokens per second.',
    );
    this.samples = gauge(
      'rigbench_case_samples',
      'Measured repetitions behind the last finished case (the medians above).',
    );
    this.finishedAt = gauge(
      'rigbench_case_last_finished_timestamp_seconds',
      'Unix time the last case with these labels finished ok.',
    );
  }

  /** Adds one measured repetition of the case that `caseId` names. */
  observe(caseId: string, labels: CaseLabelValues, sample: Sample): void {
    let pending = this.pending.get(caseId);
    if (!pending) {
      pending = { labels, decode: [], ttft: [], prompt: [] };
      this.pending.set(caseId, pending);
    }
    if (Number.isFinite(sample.decodeTokensPerSecond) && sample.decodeTokensPerSecond > 0) {
      pending.decode.push(sample.decodeTokensPerSecond);
    }
    if (sample.ttftSeconds !== null && Number.isFinite(sample.ttftSeconds))
      pending.ttft.push(sample.ttftSeconds);
    if (Number.isFinite(sample.promptTokensPerSecond) && sample.promptTokensPerSecond > 0) {
      pending.prompt.push(sample.promptTokensPerSecond);
    }
  }

  /**
   * Ends a case: an `ok` case with samples sets the gauges to its medians; a failed or skipped one leaves the last
   * good result in place (the failure is counted by `rigbench_cases_total`).
   */
  finish(caseId: string, ok: boolean, nowMs: number = Date.now()): void {
    const pending = this.pending.get(caseId);
    this.pending.delete(caseId);
    if (!ok || !pending) return;
    const { labels } = pending;
    if (pending.decode.length > 0) this.decode.set(labels, median(pending.decode));
    if (pending.ttft.length > 0) this.ttft.set(labels, median(pending.ttft));
    if (pending.prompt.length > 0) this.prompt.set(labels, median(pending.prompt));
    this.samples.set(labels, Math.max(pending.decode.length, pending.ttft.length, pending.prompt.length));
    this.finishedAt.set(labels, nowMs / 1000);
  }
}
