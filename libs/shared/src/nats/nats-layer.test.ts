import { eventStreamConfig, DUPLICATE_WINDOW_MIN_MS } from './event-stream.js';
import { JETSTREAM_ERROR_CODES, jetStreamErrorKind } from './jetstream-errors.js';
import { findRenamedNatsKeys, renamedKeysMessage, splitNatsServers } from './nats-config.js';

test('jetstream errors - every code rigbench acts on has its kind; unknown codes are retryable', () => {
  const c = JETSTREAM_ERROR_CODES;
  expect(jetStreamErrorKind(c.StreamNotFound)).toBe('stream-not-found');
  expect(jetStreamErrorKind(c.ConsumerNotFound)).toBe('consumer-not-found');
  expect(jetStreamErrorKind(c.StreamNameInUse)).toBe('stream-exists');
  expect(jetStreamErrorKind(c.JetStreamNotEnabled)).toBe('jetstream-disabled');
  expect(jetStreamErrorKind(c.JetStreamNotEnabledForAccount)).toBe('jetstream-disabled');
  expect(jetStreamErrorKind(c.StreamSubjectOverlap)).toBe('config-conflict');
  expect(jetStreamErrorKind(c.ExpectedStreamMismatch)).toBe('config-conflict');
  expect(jetStreamErrorKind(c.MessageTooLarge)).toBe('message-refused');
  for (const code of [
    c.InsufficientResources,
    c.StorageResourcesExceeded,
    c.MaximumStreamsLimit,
    0,
    undefined,
  ]) {
    expect(jetStreamErrorKind(code)).toBe('retryable');
  }
});

test('event stream config - refuses a duplicate window under 2 minutes and a max age shorter than the window', () => {
  expect(() => eventStreamConfig({ duplicateWindowMs: DUPLICATE_WINDOW_MIN_MS - 1 })).toThrow(
    /^stream\.duplicateWindowMs must be at least 120000, got 119999$/,
  );
  expect(() => eventStreamConfig({ maxAgeMs: 60_000 })).toThrow(
    /^stream\.maxAgeMs \(60000\) must be 0 \(unlimited\) or at least stream\.duplicateWindowMs \(300000\)$/,
  );
  expect(eventStreamConfig({ maxAgeMs: 300_000, replicas: 3 })).toMatchObject({
    max_age: 300_000 * 1_000_000,
    num_replicas: 3,
  });
});

test('nats config - renamed keys are found nested and flat; servers split on commas', () => {
  expect(findRenamedNatsKeys({ nats: { tlsCert: 'c' }, 'nats.tlsCa': 'a' })).toEqual([
    { old: 'nats.tlsCa', current: 'nats.tls.ca' },
    { old: 'nats.tlsCert', current: 'nats.tls.cert' },
  ]);
  expect(findRenamedNatsKeys({ nats: { tls: { ca: 'a' } } })).toEqual([]);
  expect(findRenamedNatsKeys('not a mapping')).toEqual([]);
  expect(renamedKeysMessage([{ old: 'nats.tlsKey', current: 'nats.tls.key' }])).toMatch(
    /^nats\.tlsKey was renamed to nats\.tls\.key/,
  );
  expect(splitNatsServers(' nats://a:1, nats://b:2 ,')).toEqual(['nats://a:1', 'nats://b:2']);
  expect(splitNatsServers(['nats://a:1,nats://b:2', 'nats://c:3'])).toEqual([
    'nats://a:1',
    'nats://b:2',
    'nats://c:3',
  ]);
});
