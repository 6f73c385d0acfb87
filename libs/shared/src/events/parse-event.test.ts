import { sampleEvent } from '../../../../test/support/sample-event.js';
import { MalformedEventError, UnsupportedEventVersionError, parseEvent } from './parse-event.js';

describe('parseEvent', () => {
  test('parseEvent - accepts a valid sample event from bytes and keeps extra fields', () => {
    const event = parseEvent(new TextEncoder().encode(JSON.stringify({ ...sampleEvent, extra: 1 })));
    expect(event.type).toBe('sample.recorded');
    expect((event as unknown as { extra: number }).extra).toBe(1);
  });

  test('parseEvent - rejects invalid JSON, non-objects and unknown types as malformed', () => {
    expect(() => parseEvent('{not json')).toThrow(MalformedEventError);
    expect(() => parseEvent('[1,2]')).toThrow(MalformedEventError);
    expect(() => parseEvent(new Uint8Array([0xff, 0xfe]))).toThrow(/UTF-8/);
    expect(() => parseEvent(JSON.stringify({ ...sampleEvent, type: 'sample.deleted' }))).toThrow(
      MalformedEventError,
    );
  });

  test('parseEvent - names the field path of a bad field', () => {
    const bad = { ...sampleEvent, sample: { ...sampleEvent.sample, decodeTokensPerSecond: 'fast' } };
    expect(() => parseEvent(JSON.stringify(bad))).toThrow(/sample\.decodeTokensPerSecond/);
  });

  test('parseEvent - run.accepted with and without case ids (older agents) both parse; a bad id is named', () => {
    const accepted = {
      v: 1,
      type: 'run.accepted',
      runId: 'r1',
      agentId: 'a1',
      seq: 1,
      time: '2026-01-01T00:00:00Z',
      planName: 'p',
      planHash: 'h',
      plan: {},
      caseCount: 2,
    };
    expect(parseEvent(JSON.stringify(accepted))).toEqual(accepted);
    const withIds = { ...accepted, caseIds: ['c000', 'c001'] };
    expect(parseEvent(JSON.stringify(withIds))).toEqual(withIds);
    expect(() => parseEvent(JSON.stringify({ ...accepted, caseIds: ['c000', ''] }))).toThrow(/at caseIds\.1/);
  });

  test('parseEvent - a case.started fingerprint is checked field by field', () => {
    const started = {
      v: 1,
      type: 'case.started',
      runId: 'r1',
      agentId: 'a1',
      seq: 2,
      time: '2026-01-01T00:00:00Z',
      caseId: 'c000',
      caseIndex: 0,
      modelLoadSeconds: 0.5,
      modelReused: false,
      fingerprint: {
        rigbenchVersion: '0.1.0',
        backend: 'cpu',
        gpus: [],
        model: { source: 'm', sha256: 'x' },
      },
    };
    expect(() => parseEvent(JSON.stringify(started))).toThrow(/at fingerprint\.nodeLlamaCppVersion/);
  });

  test('parseEvent - unknown schema versions are reported as unsupported, not malformed', () => {
    expect(() => parseEvent(JSON.stringify({ ...sampleEvent, v: 2 }))).toThrow(UnsupportedEventVersionError);
    expect(() => parseEvent(JSON.stringify({ ...sampleEvent, v: undefined }))).toThrow(MalformedEventError);
  });
});

describe('parseEvent fast path', () => {
  test('parseEvent - the sample fast path agrees with the schema on valid and subtly invalid samples', () => {
    const variants: Array<[string, unknown]> = [
      ['valid', sampleEvent],
      [
        'vram object',
        {
          ...sampleEvent,
          sample: { ...sampleEvent.sample, vram: { beforeBytes: 1, peakBytes: 2, afterBytes: 1 } },
        },
      ],
      ['negative rate', { ...sampleEvent, sample: { ...sampleEvent.sample, decodeTokensPerSecond: -1 } }],
      ['fractional seq', { ...sampleEvent, seq: 1.5 }],
      ['bad finish', { ...sampleEvent, sample: { ...sampleEvent.sample, finishReason: 'tired' } }],
      ['dotted run id', { ...sampleEvent, runId: 'a.b' }],
      [
        'itl missing p99',
        { ...sampleEvent, sample: { ...sampleEvent.sample, interTokenLatency: { p50: 1, p90: 1 } } },
      ],
    ];
    const outcomes = variants.map(([name, value]) => {
      try {
        parseEvent(JSON.stringify(value));
        return [name, 'ok'];
      } catch (error) {
        return [name, (error as Error).name];
      }
    });
    expect(outcomes).toEqual([
      ['valid', 'ok'],
      ['vram object', 'ok'],
      ['negative rate', 'MalformedEventError'],
      ['fractional seq', 'MalformedEventError'],
      ['bad finish', 'MalformedEventError'],
      ['dotted run id', 'MalformedEventError'],
      ['itl missing p99', 'MalformedEventError'],
    ]);
  });
});
