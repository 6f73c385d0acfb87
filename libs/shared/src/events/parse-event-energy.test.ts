import { parseEvent } from './parse-event.js';

const phase = {
  seconds: 1.2,
  joules: 96,
  meanWatts: 80,
  peakWatts: 95.5,
  readings: 12,
  tokensPerJoule: 0.33,
  tokensPerJouleAboveIdle: 0.8,
};

const event = (energy: unknown) => ({
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
    energy,
  },
});

describe('parseEvent - sample energy', () => {
  test('parseEvent - accepts samples with energy per phase, with null energy, and without the field', () => {
    const energy = {
      gpu: { idleWatts: 40, prompt: phase, decode: phase },
      cpu: null,
      promptTokensPerJoule: 0.1,
      decodeTokensPerJoule: 0.2,
    };
    const parsed = parseEvent(JSON.stringify(event(energy)));
    expect(parsed.type === 'sample.recorded' && parsed.sample.energy).toEqual(energy);
    expect(parseEvent(JSON.stringify(event(null)))).toMatchObject({ sample: { energy: null } });
    const { energy: _omit, ...plain } = event(null).sample;
    expect(parseEvent(JSON.stringify({ ...event(null), sample: plain }))).not.toHaveProperty('sample.energy');
  });

  test('parseEvent - a bad energy field is rejected with its path (the fast path does not skip it)', () => {
    const bad = {
      gpu: { idleWatts: 40, prompt: phase, decode: { ...phase, joules: -1 } },
      cpu: null,
      promptTokensPerJoule: null,
      decodeTokensPerJoule: null,
    };
    expect(() => parseEvent(JSON.stringify(event(bad)))).toThrow(/sample\.energy\.gpu\.decode\.joules/);
    expect(() => parseEvent(JSON.stringify(event('lots')))).toThrow(/sample\.energy/);
  });
});
