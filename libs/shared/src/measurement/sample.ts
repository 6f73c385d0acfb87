import type { SampleEnergy } from './energy.js';

/** One measured repetition of a case. Times are in seconds, sizes in bytes, rates in tokens per second. */
export interface Sample {
  caseId: string;
  /** 0-based measured repetition (warm-up runs are never recorded). */
  repetition: number;
  mode: 'chat' | 'raw';
  /** Wall-clock start of the repetition, ISO 8601. */
  startedAt: string;
  /** Load time of the model instance that produced this sample (shared by every case of its worker group). */
  modelLoadSeconds: number;
  promptTokens: number;
  promptSeconds: number;
  promptTokensPerSecond: number;
  /** Prompt start until the first generated token is available; null when nothing was generated. */
  ttftSeconds: number | null;
  generatedTokens: number;
  /** First generated token until the last one: `generatedTokens - 1` intervals. */
  decodeSeconds: number;
  /** `(generatedTokens - 1) / decodeSeconds` for chat; `generatedTokens / decodeSeconds` for raw tg. */
  decodeTokensPerSecond: number;
  /** Inter-token latency percentiles, in seconds; null with fewer than two generated tokens. */
  interTokenLatency: { p50: number; p90: number; p99: number } | null;
  endToEndSeconds: number;
  /** Device memory where the backend reports it; null on CPU. */
  vram: { beforeBytes: number; peakBytes: number; afterBytes: number } | null;
  workerPeakRssBytes: number;
  /** Threads actually passed to llama.cpp. */
  threads: number;
  /** Batch size actually used. */
  batchSize: number;
  finishReason: FinishReason;
  /** Power and energy per phase; null when no power source was readable, absent in older samples. */
  energy?: SampleEnergy | null;
}

export const FINISH_REASONS = ['maxTokens', 'eos', 'stopped', 'completed'] as const;
/** `completed` is a raw test that ran all its tokens. */
export type FinishReason = (typeof FINISH_REASONS)[number];
