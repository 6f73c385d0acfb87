import type { Sample } from '@rigbench/shared';

/**
 * A chat sample with realistic synthetic figures (32 prompt tokens at 640 t/s, 64 generated at 50 t/s, no VRAM
 * figure, no energy), for the agent's metrics tests and the synthetic run events; `overrides` replace fields.
 */
export function chatSample(overrides: Partial<Sample> = {}): Sample {
  return {
    caseId: 'c1',
    repetition: 0,
    mode: 'chat',
    startedAt: '2026-01-01T00:00:00.000Z',
    modelLoadSeconds: 0.5,
    promptTokens: 32,
    promptSeconds: 0.05,
    promptTokensPerSecond: 640,
    ttftSeconds: 0.06,
    generatedTokens: 64,
    decodeSeconds: 1.26,
    decodeTokensPerSecond: 50,
    interTokenLatency: { p50: 0.02, p90: 0.025, p99: 0.03 },
    endToEndSeconds: 1.35,
    vram: null,
    workerPeakRssBytes: 300_000_000,
    threads: 1,
    batchSize: 512,
    finishReason: 'maxTokens',
    ...overrides,
  };
}
