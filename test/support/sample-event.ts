/**
 * A well-formed `sample.recorded` event (a chat sample without energy), for the event parser's tests and the store's
 * migration test (whose first-release row holds these figures).
 */
export const sampleEvent = {
  v: 1,
  type: 'sample.recorded',
  runId: 'r1',
  agentId: 'a1',
  seq: 3,
  time: '2026-01-01T00:00:00Z',
  caseId: 'c000',
  sample: {
    caseId: 'c000',
    repetition: 0,
    mode: 'chat',
    startedAt: '2026-01-01T00:00:00Z',
    modelLoadSeconds: 0.5,
    promptTokens: 10,
    promptSeconds: 0.1,
    promptTokensPerSecond: 100,
    ttftSeconds: 0.12,
    generatedTokens: 16,
    decodeSeconds: 0.5,
    decodeTokensPerSecond: 30,
    interTokenLatency: { p50: 0.03, p90: 0.04, p99: 0.05 },
    endToEndSeconds: 0.7,
    vram: null,
    workerPeakRssBytes: 1e8,
    threads: 1,
    batchSize: 512,
    finishReason: 'maxTokens',
  },
};
