import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { eventMessageId, eventSubject, type RigbenchEvent } from '@rigbench/shared';
import { EventCollector } from '../apps/controller/src/collector/event-collector.js';
import { ensureEventStream } from '../apps/controller/src/collector/event-stream.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { RunStore } from '../apps/controller/src/store/run-store.js';
import { runCompleteness } from '../apps/controller/src/store/run-completeness.js';
import { syntheticRunEvents, syntheticRunEventCount } from './support/synthetic-run.js';
import { eventually } from './support/eventually.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';

const COLLECTOR = { durableName: 'test-controller', batchSize: 200, maxAckPending: 5000, ackWaitMs: 5000 };

async function publishAll(
  js: JetStreamClient,
  events: Iterable<RigbenchEvent>,
  msgIdSuffix = '',
): Promise<number> {
  let n = 0;
  const acks: Promise<unknown>[] = [];
  for (const event of events) {
    acks.push(
      js.publish(eventSubject(event.agentId, event.runId), JSON.stringify(event), {
        msgID: eventMessageId(event.runId, event.agentId, event.seq) + msgIdSuffix,
      }),
    );
    n += 1;
  }
  await Promise.all(acks);
  return n;
}

const count = (store: RunStore, table: string): number =>
  store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe('controller collector against a real nats-server', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let dir: string;
  const open: Array<{ stop(): Promise<void> } | RunStore> = [];

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server.dispose();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rigbench-collector-'));
    nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete('RIGBENCH_EVENTS').catch(() => undefined);
    await ensureEventStream(jsm);
    js = jetstream(nc);
  });
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) {
      if (item instanceof RunStore) item.close();
      else await item.stop();
    }
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function startCollector(store: RunStore, connection = nc): Promise<EventCollector> {
    const collector = new EventCollector({ ...COLLECTOR, nc: connection, store });
    open.push(collector);
    return collector.start().then(() => collector);
  }

  function openStore(): RunStore {
    const store = RunStore.open(join(dir, 'rigbench.db'));
    open.push(store);
    return store;
  }

  test('collector - events published twice under different message ids are stored once', async () => {
    const store = openStore();
    const collector = await startCollector(store);
    const events = [...syntheticRunEvents({ runId: 'r1', agentId: 'a1', cases: 5, samplesPerCase: 10 })];
    const published = (await publishAll(js, events)) + (await publishAll(js, events, '-again'));
    await eventually(() => collector.stats.stored + collector.stats.duplicates === published, {
      description: 'every published message processed',
    });
    expect(collector.stats.stored).toBe(events.length);
    expect(collector.stats.duplicates).toBe(events.length);
    expect(count(store, 'samples')).toBe(50);
    expect(runCompleteness(store, 'r1')).toMatchObject({ status: 'complete', missing: [] });
  });

  test('collector - malformed, unknown-version and mis-addressed events are quarantined while good ones flow', async () => {
    const store = openStore();
    const collector = await startCollector(store);
    const good = [...syntheticRunEvents({ runId: 'r2', agentId: 'a1', cases: 2, samplesPerCase: 3 })];
    await publishAll(js, good.slice(0, 4));
    await js.publish('rigbench.events.a1.r2', '{"v":1,"type":"sample.recorded",', { msgID: 'bad-json' });
    await js.publish('rigbench.events.a1.r2', JSON.stringify({ ...good[4], v: 99 }), {
      msgID: 'bad-version',
    });
    await js.publish('rigbench.events.evil.r2', JSON.stringify(good[4]), { msgID: 'bad-subject' });
    await js.publish('rigbench.events.a1.r2', JSON.stringify({ ...good[4], type: 'sample.exploded' }), {
      msgID: 'bad-type',
    });
    await publishAll(js, good.slice(4));
    await eventually(() => runCompleteness(store, 'r2').status === 'complete', {
      description: 'run r2 complete',
    });
    await eventually(() => store.quarantine().total === 4, { description: '4 quarantined' });
    const reasons = store
      .quarantine()
      .recent.map((q) => q.reason)
      .sort();
    expect(reasons).toEqual(['malformed', 'malformed', 'subject-mismatch', 'unsupported-version']);
    expect(
      store.quarantine().recent.find((q) => q.reason === 'malformed' && /type/.test(q.error)),
    ).toBeDefined();
    expect(collector.stats.quarantined).toBe(4);
    expect(collector.state).toBe('running');
  });

  test('collector - a controller stopped mid-run catches up from the durable consumer after restart', async () => {
    const events = [...syntheticRunEvents({ runId: 'r3', agentId: 'a1', cases: 10, samplesPerCase: 20 })];
    const half = Math.floor(events.length / 2);
    let store = openStore();
    const first = await startCollector(store);
    await publishAll(js, events.slice(0, half));
    await eventually(() => first.stats.stored === half, { description: 'first half stored' });
    await first.stop();
    store.close();

    // Published while no controller runs: the stream keeps them for the durable consumer.
    await publishAll(js, events.slice(half));
    store = openStore();
    expect(runCompleteness(store, 'r3').status).toBe('running');
    const nc2 = await connect({ servers: server.url });
    try {
      const second = await startCollector(store, nc2);
      await eventually(() => runCompleteness(store, 'r3').status === 'complete', {
        description: 'run r3 complete after restart',
      });
      expect(second.stats.stored).toBe(events.length - half);
      expect(count(store, 'samples')).toBe(200);
      await second.stop();
    } finally {
      await nc2.close();
    }
  });

  test('collector - two collectors sharing the durable consumer and the store write each event once', async () => {
    const store = openStore();
    const storeB = openStore();
    const nc2 = await connect({ servers: server.url });
    try {
      const a = await startCollector(store);
      const b = await startCollector(storeB, nc2);
      const events = [...syntheticRunEvents({ runId: 'r4', agentId: 'a2', cases: 20, samplesPerCase: 25 })];
      await publishAll(js, events);
      await eventually(() => runCompleteness(store, 'r4').status === 'complete', {
        description: 'run r4 complete',
      });
      expect(count(store, 'samples')).toBe(500);
      expect(a.stats.stored + b.stats.stored).toBe(syntheticRunEventCount(20, 25));
      await a.stop();
      await b.stop();
    } finally {
      await nc2.close();
    }
  });

  test('collector - a rigbench collect process killed with SIGKILL mid-ingest and restarted stores every event once', async () => {
    const cliJs = join(import.meta.dirname, '../apps/controller/dist/cli.js');
    const storePath = join(dir, 'killed.db');
    const events = [...syntheticRunEvents({ runId: 'r5', agentId: 'a5', cases: 200, samplesPerCase: 50 })];
    await publishAll(js, events);
    const collect = () =>
      spawn(process.execPath, [cliJs, 'collect', '--nats', server.url, '--store', storePath], {
        // The worker writer: jest runs sources, so only the built binary can exercise it.
        env: {
          HOME: dir,
          PATH: process.env.PATH ?? '',
          RIGBENCH_COLLECTOR_ACK_WAIT_SECONDS: '2',
          RIGBENCH_COLLECTOR_WRITER: 'worker',
        },
        stdio: 'ignore',
      });
    const storedNow = (): number => {
      const store = RunStore.open(storePath);
      try {
        return store.storedEventCount();
      } finally {
        store.close();
      }
    };
    const first = collect();
    const firstExit = new Promise((resolve) => first.on('exit', resolve));
    await eventually(() => storedNow() > 0, {
      timeoutMs: 30_000,
      description: 'first collector stored something',
    });
    first.kill('SIGKILL');
    await firstExit;
    const before = storedNow();

    const second = collect();
    const secondExit = new Promise<number | null>((resolve) => second.on('exit', resolve));
    try {
      await eventually(() => storedNow() === events.length, {
        timeoutMs: 60_000,
        description: 'every event stored',
      });
    } finally {
      second.kill('SIGTERM');
    }
    expect(await secondExit).toBe(0);
    const store = RunStore.open(storePath);
    open.push(store);
    expect(before).toBeLessThanOrEqual(events.length);
    expect(store.storedEventCount()).toBe(events.length);
    expect(runCompleteness(store, 'r5')).toMatchObject({ status: 'complete', missing: [] });
  });

  test('collector - keeps collecting across a nats-server restart with nothing lost', async () => {
    const store = openStore();
    const collectorNc = await connect({
      servers: server.url,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
    });
    try {
      const collector = await startCollector(store, collectorNc);
      const events = [...syntheticRunEvents({ runId: 'r6', agentId: 'a6', cases: 20, samplesPerCase: 10 })];
      const half = Math.floor(events.length / 2);
      await publishAll(js, events.slice(0, half));
      await eventually(() => collector.stats.stored === half, { description: 'first half stored' });
      await server.restart();
      await eventually(() => !nc.isClosed() && nc.info !== undefined, {
        description: 'publisher reconnected',
      });
      await eventually(async () => (await publishAll(js, events.slice(half))) > 0, {
        timeoutMs: 20_000,
        description: 'second half published after the restart',
      });
      await eventually(() => runCompleteness(store, 'r6').status === 'complete', {
        timeoutMs: 60_000,
        description: 'run r6 complete after the NATS restart',
      });
      expect(store.storedEventCount()).toBe(events.length);
      await collector.stop();
    } finally {
      await collectorNc.close();
    }
  });
});
