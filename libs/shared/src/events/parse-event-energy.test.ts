import { sampleEvent } from '../../../../test/support/sample-event.js';
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
  ...sampleEvent,
  sample: { ...sampleEvent.sample, energy },
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
