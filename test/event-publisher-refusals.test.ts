/**
 * The outbox never jams (issue 13, item 3), against a real nats-server: an event JetStream refuses for good
 * (larger than the stream's max_msg_size) or that the agent's NATS user may not publish goes to the dead-letter
 * file with a metric-ready event, and every event behind it is delivered; an event larger than the server's
 * max_payload is never produced.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { EVENT_STREAM, type RigbenchEvent } from '@rigbench/shared';
import { EventOutbox, EventPublisher, EventTooLargeError } from '../apps/agent/src/events/index.js';
import { DEAD_LETTER_FILE } from '../apps/agent/src/events/outbox-dead-letter.js';
import { eventually } from './support/eventually.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';
import { makeRunEvents } from './support/run-events.js';
import { readStream } from './support/stream-reader.js';

const AGENT = 'agent-r';
let work: string;
let nats: NatsServerHandle;
let admin: NatsConnection;
const publishers: EventPublisher[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'rigbench-refusals-'));
  // The agent may publish run-ok and run-big events, not run-denied ones; max_payload 64 KiB.
  writeFileSync(
    join(work, 'server.conf'),
    `max_payload: 65536
authorization {
  users = [
    { user: admin, password: admin-pw }
    { user: ${AGENT}, password: agent-pw, permissions: {
        publish: { allow: ["rigbench.events.${AGENT}.run-ok", "rigbench.events.${AGENT}.run-big", "$JS.API.INFO",
                           "$JS.API.STREAM.INFO.${EVENT_STREAM}", "$JS.API.STREAM.CREATE.${EVENT_STREAM}"] }
        subscribe: { allow: ["_INBOX.${AGENT}.>"] } } }
  ]
}
`,
  );
  nats = await startNatsServer({ args: ['-c', join(work, 'server.conf')] });
  admin = await connect({ servers: nats.url, user: 'admin', pass: 'admin-pw' });
  // A stream whose messages may be at most 4 KiB: a bigger event is refused by JetStream for good (10054).
  await (
    await jetstreamManager(admin)
  ).streams.add({ name: EVENT_STREAM, subjects: ['rigbench.events.>'], max_msg_size: 4096 });
});

afterAll(async () => {
  for (const publisher of publishers) await publisher.stop({ timeoutMs: 0 });
  await admin?.close();
  await nats?.dispose();
  rmSync(work, { recursive: true, force: true });
});

function startPublisher(outboxDir: string): EventPublisher {
  const publisher = new EventPublisher({
    agentId: AGENT,
    nats: { servers: [nats.url], user: AGENT, password: 'agent-pw' },
    outbox: { dir: outboxDir, maxBytes: 1 << 22 },
    ackTimeoutMs: 500,
    retryInitialMs: 50,
    retryMaxMs: 200,
  });
  publishers.push(publisher);
  return publisher;
}

const padded = (event: RigbenchEvent, bytes: number): RigbenchEvent =>
  ({ ...event, pad: 'x'.repeat(bytes) }) as unknown as RigbenchEvent;

test('outbox - events refused for good are dead-lettered and the events behind them are delivered', async () => {
  const outboxDir = mkdtempSync(join(work, 'outbox-'));
  const publisher = startPublisher(outboxDir);
  const letters: string[] = [];
  publisher.on('deadLetter', (letter) => letters.push(`${letter.reason}: ${letter.subject}`));
  await publisher.start();
  // First in line: 2 events the user may not publish, 1 too big for the stream; then 10 good ones.
  for (const event of makeRunEvents(AGENT, 'run-denied', 2)) await publisher.publish(event);
  const [big] = makeRunEvents(AGENT, 'run-big', 1);
  await publisher.publish(padded(big!, 8_000));
  for (const event of makeRunEvents(AGENT, 'run-ok', 10)) await publisher.publish(event);
  expect(await publisher.flush(30_000)).toBe(true);

  const stored = (await readStream(admin, EVENT_STREAM)).map((m) => m.subject);
  expect(stored.filter((s) => s.endsWith('.run-ok'))).toHaveLength(10);
  expect(stored.filter((s) => !s.endsWith('.run-ok'))).toEqual([]);
  expect(letters.sort()).toEqual([
    `refused: rigbench.events.${AGENT}.run-big`,
    `refused: rigbench.events.${AGENT}.run-denied`,
    `refused: rigbench.events.${AGENT}.run-denied`,
  ]);
  const file = readFileSync(join(outboxDir, DEAD_LETTER_FILE), 'utf8').trim().split('\n');
  expect(file.map((line) => (JSON.parse(line) as { detail: string }).detail)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^JetStream refused it for good: 10054/),
      expect.stringMatching(/^NATS permissions: .*run-denied/i),
    ]),
  );
  expect(publisher.pendingCount()).toBe(0);
});

test("outbox - an event over the server's max_payload is never produced", async () => {
  const publisher = startPublisher(mkdtempSync(join(work, 'outbox-')));
  await publisher.start();
  // The limit comes from the connection's INFO once connected: 64 KiB less the header reserve.
  await eventually(() => publisher.isConnected, { timeoutMs: 10_000, description: 'publisher connected' });
  expect(publisher.maxEventBytes()).toBe(65536 - 1024);
  const [event] = makeRunEvents(AGENT, 'run-ok', 1);
  await expect(publisher.publish(padded(event!, 70_000))).rejects.toThrow(EventTooLargeError);
  expect(publisher.pendingCount()).toBe(0);
});

test("outbox - an entry written before the server's limit was known is dead-lettered as too large, not retried", async () => {
  const outboxDir = mkdtempSync(join(work, 'outbox-'));
  // As an older agent (or one configured for a bigger server) left it: a 100 kB event, then a small one.
  const outbox = await EventOutbox.open({ dir: outboxDir, maxBytes: 1 << 22 });
  const [bigEvent, small] = makeRunEvents(AGENT, 'run-ok', 2);
  for (const event of [padded(bigEvent!, 100_000), small!]) {
    await outbox.append({
      subject: `rigbench.events.${AGENT}.run-ok`,
      msgId: `run-ok.${AGENT}.old-${event.seq}`,
      payload: JSON.stringify(event),
    });
  }
  await outbox.close();
  const publisher = startPublisher(outboxDir);
  const letters: string[] = [];
  publisher.on('deadLetter', (letter) => letters.push(`${letter.reason} ${letter.msgId}: ${letter.detail}`));
  await publisher.start();
  expect(await publisher.flush(15_000)).toBe(true);
  expect(letters).toEqual([
    expect.stringMatching(
      /^too-large run-ok\.agent-r\.old-1: \d+ bytes; the server takes events of at most 64512/,
    ),
  ]);
  const stored = (await readStream(admin, EVENT_STREAM)).map((m) => m.msgId);
  expect(stored).toContain(`run-ok.${AGENT}.old-2`);
  expect(stored).not.toContain(`run-ok.${AGENT}.old-1`);
});
