import { loadLevelRecord } from '../../../../test/support/load-level.js';
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

describe('parseEvent - load level energy', () => {
  const levelEvent = (energy: unknown) => ({
    v: sampleEvent.v,
    runId: sampleEvent.runId,
    agentId: sampleEvent.agentId,
    seq: 3,
    time: sampleEvent.time,
    type: 'load.level.recorded',
    caseId: 'c000-tiny-cpu-serve-conc2',
    level: {
      ...loadLevelRecord(2),
      ...(energy === undefined ? {} : { energy }),
    },
  });

  test('parseEvent - a level with energy over its window, with null energy, and without the field', () => {
    const energy = { gpu: { idleWatts: 40, level: phase }, cpu: null, outputTokensPerJoule: 0.33 };
    const parsed = parseEvent(JSON.stringify(levelEvent(energy)));
    expect(parsed.type === 'load.level.recorded' && parsed.level.energy).toEqual(energy);
    expect(parseEvent(JSON.stringify(levelEvent(null)))).toMatchObject({ level: { energy: null } });
    expect(parseEvent(JSON.stringify(levelEvent(undefined)))).not.toHaveProperty('level.energy');
  });

  test('parseEvent - a bad level energy field is rejected with its path', () => {
    const bad = {
      gpu: null,
      cpu: { idleWatts: 10, level: { ...phase, meanWatts: 'hot' } },
      outputTokensPerJoule: 1,
    };
    expect(() => parseEvent(JSON.stringify(levelEvent(bad)))).toThrow(/level\.energy\.cpu\.level\.meanWatts/);
  });
});
