/**
 * The outbox's spill path under the real publisher: with a memory budget far below the pending events, most are
 * on disk only and are read back asynchronously (the publisher's pump waits for `durable`), across a restart of
 * the agent's publisher too. Real nats-server with JetStream; every event must arrive exactly once, in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STREAM, eventMessageId, eventSubject } from '@rigbench/shared';
import { EventOutbox, EventPublisher } from '../apps/agent/src/events/index.js';
import { useNatsServer } from './support/nats-fixture.js';
import { makeRunEvents } from './support/run-events.js';
import { readStream } from './support/stream-reader.js';

const AGENT = 'agent-spill';
const nats = useNatsServer();
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rigbench-outbox-spill-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const publisher = (): EventPublisher =>
  new EventPublisher({
    agentId: AGENT,
    nats: { servers: [nats.server.url] },
    // 8 KiB in memory against ≈1 MB pending: nearly everything is read back from its segment.
    outbox: { dir, maxBytes: 64 * 1024 * 1024, maxMemoryBytes: 8192, segmentBytes: 64 * 1024 },
  });

test('outbox spill - events beyond the memory budget, left by an earlier process, all arrive once and in order', async () => {
  const runId = 'spill-run';
  const count = 2000;
  const events = makeRunEvents(AGENT, runId, count);
  // An earlier agent process wrote them and died before NATS saw any.
  const earlier = await EventOutbox.open({ dir, maxBytes: 64 * 1024 * 1024, segmentBytes: 64 * 1024 });
  await Promise.all(
    events.map((event) =>
      earlier.append({
        subject: eventSubject(AGENT, runId),
        msgId: eventMessageId(runId, AGENT, event.seq),
        payload: JSON.stringify(event),
      }),
    ),
  );
  await earlier.close();

  const restarted = publisher();
  await restarted.start();
  expect(restarted.pendingCount()).toBe(count);
  expect(await restarted.flush(60_000)).toBe(true);
  await restarted.stop({ timeoutMs: 5_000 });
  const stored = (await readStream(nats.nc, EVENT_STREAM))
    .filter((m) => m.subject === eventSubject(AGENT, runId))
    .map((m) => m.msgId);
  expect(stored).toEqual(events.map((e) => eventMessageId(runId, AGENT, e.seq)));
});
