import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Registry } from 'prom-client';
import {
  EVENT_STREAM,
  eventMessageId,
  eventSubject,
  type AgentHeartbeat,
  type Logger,
} from '@rigbench/shared';
import {
  EventPublisher,
  HeartbeatPublisher,
  OutboxFullError,
  bindPublisherMetrics,
  type EventPublisherOptions,
} from '../apps/agent/src/events/index.js';
import { AgentMetrics } from '../apps/agent/src/metrics/index.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';
import { useNatsServer } from './support/nats-fixture.js';
import { startNatsServer } from './support/nats-server.js';
import { makeRunEvents } from './support/run-events.js';
import { readStream } from './support/stream-reader.js';

const AGENT = 'agent-1';

describe('EventPublisher against a real nats-server with JetStream', () => {
  const nats = useNatsServer({ maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  let dirs: string[] = [];
  let publishers: EventPublisher[] = [];

  const outboxDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'rigbench-outbox-'));
    dirs.push(dir);
    return dir;
  };
  const makePublisher = (
    overrides: Omit<Partial<EventPublisherOptions>, 'outbox'> & {
      dir: string;
      outbox?: Partial<EventPublisherOptions['outbox']>;
    },
  ): EventPublisher => {
    const { dir, outbox, ...rest } = overrides;
    const publisher = new EventPublisher({
      agentId: AGENT,
      nats: { servers: [nats.server.url] },
      outbox: { dir, maxBytes: 64 * 1024 * 1024, ...outbox },
      ackTimeoutMs: 1_000,
      retryMaxMs: 500,
      ...rest,
    });
    publishers.push(publisher);
    return publisher;
  };
  const msgIds = (runId: string, count: number): string[] =>
    Array.from({ length: count }, (_, i) => eventMessageId(runId, AGENT, i + 1));
  const storedIds = async (runId: string): Promise<string[]> =>
    (await readStream(nats.nc, EVENT_STREAM))
      .filter((m) => m.subject === eventSubject(AGENT, runId))
      .map((m) => m.msgId);

  afterEach(async () => {
    for (const publisher of publishers) await publisher.stop({ timeoutMs: 0 });
    publishers = [];
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    dirs = [];
  });

  test("publisher - a run's events land in the stream in order with no duplicates", async () => {
    const publisher = makePublisher({ dir: outboxDir() });
    let acked = 0;
    publisher.on('acked', (count) => (acked += count));
    const registry = new Registry();
    const metrics = new AgentMetrics({
      registry,
      node: AGENT,
      versions: { version: 'test', llamaCpp: 'b0', nodeLlamaCpp: '0' },
      defaultMetrics: false,
    });
    bindPublisherMetrics(publisher, metrics);
    await publisher.start();
    const events = makeRunEvents(AGENT, 'run-order', 300);
    for (const event of events.slice(0, 100)) await publisher.publish(event);
    await Promise.all(events.slice(100).map((event) => publisher.publish(event)));
    expect(await publisher.flush(20_000)).toBe(true);
    expect(publisher.pendingCount()).toBe(0);
    await eventually(() => expect(acked).toBe(300));
    await eventually(async () => {
      const text = await registry.metrics();
      expect(text).toContain(`rigbench_events_acked_total{node="${AGENT}"} 300`);
      expect(text).toContain(`rigbench_outbox_pending_events{node="${AGENT}"} 0`);
      expect(text).toContain(`rigbench_nats_connected{node="${AGENT}"} 1`);
    });
    expect(await storedIds('run-order')).toEqual(msgIds('run-order', 300));
    const stored = await readStream(nats.nc, EVENT_STREAM);
    const first = JSON.parse(stored.find((m) => m.msgId === msgIds('run-order', 1)[0])!.data);
    expect(first).toMatchObject({ type: 'run.accepted', seq: 1, agentId: AGENT, runId: 'run-order' });
    const jsm = await jetstreamManager(nats.nc);
    const info = await jsm.streams.info(EVENT_STREAM);
    expect(info.config.subjects).toEqual(['rigbench.events.>']);
    expect(info.config.storage).toBe('file');
    expect(info.config.duplicate_window).toBeGreaterThanOrEqual(120 * 1e9);
  });

  test.each(['stopped', 'killed (SIGKILL)'] as const)(
    'publisher - NATS %s mid-publishing and restarted: every event in the stream exactly once',
    async (how) => {
      const runId = how === 'stopped' ? 'run-outage-stop' : 'run-outage-kill';
      // A small window keeps most of the first wave waiting when the outage starts.
      const publisher = makePublisher({ dir: outboxDir(), maxInFlight: 64 });
      const connections: boolean[] = [];
      publisher.on('connection', (up) => connections.push(up));
      await publisher.start();
      const events = makeRunEvents(AGENT, runId, 3000);
      // Stop the server at the first acks, while most publishes are still in flight.
      let pendingAtOutage = -1;
      let outage: Promise<void> | undefined;
      publisher.once('acked', () => {
        pendingAtOutage = publisher.pendingCount();
        // The signal goes out synchronously here; waiting for the exit happens below.
        outage = how === 'stopped' ? nats.server.stop() : nats.server.kill('SIGKILL');
      });
      const firstWave = events.slice(0, 2000).map((event) => publisher.publish(event));
      await eventually(() => outage !== undefined);
      await outage;
      expect(pendingAtOutage).toBeGreaterThan(1000);
      await Promise.all(firstWave);
      // While NATS is down, events keep going into the outbox.
      await Promise.all(events.slice(2000).map((event) => publisher.publish(event)));
      expect(publisher.pendingCount()).toBeGreaterThan(1000);
      await eventually(() => expect(publisher.isConnected).toBe(false));
      await nats.server.restart();
      expect(await publisher.flush(60_000)).toBe(true);
      expect(connections).toEqual([true, false, true]);
      const ids = await storedIds(runId);
      expect(ids).toHaveLength(3000);
      expect(new Set(ids).size).toBe(3000);
      expect([...ids].sort()).toEqual(msgIds(runId, 3000).sort());
    },
  );

  test('publisher - restarted with a non-empty outbox: pending events delivered, none duplicated', async () => {
    const dir = outboxDir();
    // First life: NATS unreachable, so everything stays in the outbox.
    const deadPort = await freePort();
    const first = makePublisher({ dir, nats: { servers: [`nats://127.0.0.1:${deadPort}`] } });
    await first.start();
    const events = makeRunEvents(AGENT, 'run-restart', 400);
    await Promise.all(events.map((event) => first.publish(event)));
    const stopped = await first.stop({ timeoutMs: 0 });
    expect(stopped).toEqual({ flushed: false, pending: 400 });

    // Simulate acks lost in a crash: the first 150 are already in the stream, the outbox never heard back.
    const js = jetstream(nats.nc);
    for (const event of events.slice(0, 150)) {
      await js.publish(eventSubject(AGENT, event.runId), JSON.stringify(event), {
        msgID: eventMessageId(event.runId, AGENT, event.seq),
      });
    }

    const second = makePublisher({ dir });
    await second.start();
    expect(second.pendingCount()).toBe(400);
    expect(await second.flush(20_000)).toBe(true);
    expect(await storedIds('run-restart')).toEqual(msgIds('run-restart', 400));
  });

  test('publisher - a full outbox rejects with OutboxFullError, logs a warning first and counts it in metrics', async () => {
    const registry = new Registry();
    const metrics = new AgentMetrics({
      registry,
      node: AGENT,
      versions: { version: 'test', llamaCpp: 'b0', nodeLlamaCpp: '0' },
      defaultMetrics: false,
    });
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message) => warnings.push(message),
      error: () => undefined,
    };
    const deadPort = await freePort();
    const publisher = makePublisher({
      dir: outboxDir(),
      nats: { servers: [`nats://127.0.0.1:${deadPort}`] },
      outbox: { maxBytes: 64 * 1024, segmentBytes: 8192 },
      logger,
    });
    bindPublisherMetrics(publisher, metrics);
    await publisher.start();
    let failure: unknown;
    let accepted = 0;
    for (const event of makeRunEvents(AGENT, 'run-full', 1000)) {
      try {
        await publisher.publish(event);
        accepted += 1;
      } catch (error) {
        failure = error;
        break;
      }
    }
    expect(failure).toBeInstanceOf(OutboxFullError);
    expect(accepted).toBeGreaterThan(10);
    expect(warnings).toContain('outbox nearly full');
    await eventually(async () => {
      const text = await registry.metrics();
      expect(text).toContain(`rigbench_outbox_rejected_events_total{node="${AGENT}"} 1`);
      expect(text).toMatch(new RegExp(`rigbench_outbox_pending_events\\{node="${AGENT}"\\} ${accepted}\\n`));
      const ratio = Number(/rigbench_outbox_capacity_ratio\{[^}]*\} ([\d.e-]+)/.exec(text)![1]);
      expect(ratio).toBeGreaterThanOrEqual(0.8);
    });
  });

  test('publisher - a full stream refuses events, they wait in the outbox and arrive once the limit is raised', async () => {
    const own = await startNatsServer();
    const ownClient = await connect({ servers: own.url });
    try {
      const publisher = makePublisher({
        dir: outboxDir(),
        nats: { servers: [own.url] },
        stream: { maxBytes: 64 * 1024 },
      });
      const errors: Error[] = [];
      publisher.on('publishError', (error) => errors.push(error));
      await publisher.start();
      const events = makeRunEvents(AGENT, 'run-stream-full', 300);
      await Promise.all(events.map((event) => publisher.publish(event)));
      await eventually(() => errors.length > 0, { timeoutMs: 20_000 });
      expect(errors[0]!.message).toMatch(/JetStream refused event \d+/);
      expect(publisher.pendingCount()).toBeGreaterThan(0);
      const jsm = await jetstreamManager(ownClient);
      const info = await jsm.streams.info(EVENT_STREAM);
      expect(info.config.discard).toBe('new');
      expect(info.state.messages).toBeLessThan(300);
      await jsm.streams.update(EVENT_STREAM, { max_bytes: 64 * 1024 * 1024 });
      expect(await publisher.flush(30_000)).toBe(true);
      const ids = (await readStream(ownClient, EVENT_STREAM)).map((m) => m.msgId);
      expect(ids).toHaveLength(300);
      expect([...ids].sort()).toEqual(msgIds('run-stream-full', 300).sort());
    } finally {
      await ownClient.close();
      for (const publisher of publishers) await publisher.stop({ timeoutMs: 0 });
      publishers = [];
      await own.dispose();
    }
  });

  test('publisher - a stream deleted under it (a server that lost its store) is re-created and delivery goes on', async () => {
    const publisher = makePublisher({ dir: outboxDir(), retryInitialMs: 20, retryMaxMs: 200 });
    const errors: string[] = [];
    publisher.on('publishError', (error) => errors.push(error.message));
    await publisher.start();
    const events = makeRunEvents(AGENT, 'run-lost-stream', 60);
    for (const event of events.slice(0, 30)) await publisher.publish(event);
    expect(await publisher.flush(20_000)).toBe(true);
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.delete(EVENT_STREAM);
    for (const event of events.slice(30)) await publisher.publish(event);
    expect(await publisher.flush(20_000)).toBe(true);
    // Nothing listens on the subjects once the stream is gone: the 503 reply sends the pump back to provisioning.
    expect(errors.some((message) => /\b503\b/.test(message))).toBe(true);
    expect((await jsm.streams.info(EVENT_STREAM)).config.subjects).toEqual(['rigbench.events.>']);
    expect(await storedIds('run-lost-stream')).toEqual(msgIds('run-lost-stream', 60).slice(30));
  });

  test('heartbeat - published on core NATS through the publisher connection', async () => {
    const publisher = makePublisher({ dir: outboxDir() });
    await publisher.start();
    await eventually(() => publisher.isConnected);
    const received: AgentHeartbeat[] = [];
    const sub = nats.nc.subscribe(`rigbench.heartbeat.${AGENT}`, {
      callback: (_error, msg) => {
        received.push(msg.json<AgentHeartbeat>());
      },
    });
    await nats.nc.flush();
    let busy = false;
    const heartbeat = new HeartbeatPublisher({
      agentId: AGENT,
      source: publisher,
      intervalMs: 100,
      state: () => ({
        labels: { gpu: 'none' },
        address: '127.0.0.1:7000',
        version: 'test',
        busy,
        runId: null,
      }),
    });
    heartbeat.start();
    try {
      await eventually(() => received.length >= 2);
      busy = true;
      await eventually(() => received.some((h) => h.busy));
    } finally {
      heartbeat.stop();
      sub.unsubscribe();
    }
    expect(received[0]).toMatchObject({
      v: 1,
      type: 'agent.heartbeat',
      agentId: AGENT,
      labels: { gpu: 'none' },
      address: '127.0.0.1:7000',
      intervalSeconds: 0.1,
    });
  });
});
