import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { RigbenchEvent } from '@rigbench/shared';
import { EventCollector, RunStore, ensureEventStream, runCompleteness } from '@rigbench/controller';
import { syntheticRunEvents } from '../../test/support/synthetic-run.js';
import type { NatsServerHandle } from '../../test/support/nats-server.js';
import { publishEvents } from './bench-util.js';

/** Synthetic runs of `agents` agents with `samplesPerCase` samples per case, about `total` events in all. */
export function benchEvents(total: number, agents = 20, samplesPerCase = 48): RigbenchEvent[] {
  const perAgent = Math.ceil(total / agents);
  const cases = Math.max(1, Math.round((perAgent - 2) / (samplesPerCase + 2)));
  const events: RigbenchEvent[] = [];
  for (let a = 0; a < agents; a += 1) {
    events.push(...syntheticRunEvents({ runId: 'bench-run', agentId: `agent-${a}`, cases, samplesPerCase }));
  }
  return events;
}

export interface StoreInsertFigures {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  batchSize: number;
}

/** Raw SQLite write rate of the store: parsed events, batched transactions, WAL, one file. */
export function benchStoreInsert(events: readonly RigbenchEvent[], batchSize = 2000): StoreInsertFigures {
  const dir = mkdtempSync(join(tmpdir(), 'rigbench-bench-store-'));
  const store = RunStore.open(join(dir, 'bench.db'));
  try {
    const start = process.hrtime.bigint();
    for (let i = 0; i < events.length; i += batchSize) store.writeEvents(events.slice(i, i + batchSize));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const stored = store.storedEventCount();
    if (stored !== events.length)
      throw new Error(`store insert: ${stored} of ${events.length} events stored`);
    return { events: events.length, seconds, eventsPerSecond: events.length / seconds, batchSize };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface CollectorIngestFigures {
  events: number;
  publishSeconds: number;
  ingestSeconds: number;
  eventsPerSecond: number;
  stored: number;
  lost: number;
  duplicates: number;
  quarantined: number;
  complete: boolean;
  /** CPU seconds the collector process (this one) used during the ingest: wall time minus this is waiting. */
  collectorCpuSeconds: number;
  /** CPU seconds nats-server used during the ingest. */
  natsServerCpuSeconds: number;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * The real collector reading a real JetStream stream: the stream is filled first, then the clock runs from
 * the collector's start until every event is in SQLite (acked after each committed batch).
 */
export async function benchCollectorIngest(
  server: NatsServerHandle,
  events: readonly RigbenchEvent[],
  writer: 'auto' | 'worker' | 'inline' = 'auto',
): Promise<CollectorIngestFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'rigbench-bench-collect-'));
  const nc = await connect({ servers: server.url });
  const store = RunStore.open(join(dir, 'bench.db'));
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete('RIGBENCH_EVENTS').catch(() => undefined);
    await ensureEventStream(jsm);
    const publishStart = process.hrtime.bigint();
    await publishEvents(jetstream(nc), events, 2048);
    const publishSeconds = Number(process.hrtime.bigint() - publishStart) / 1e9;

    const collector = new EventCollector({
      nc,
      store,
      durableName: 'bench',
      batchSize: 2000,
      maxAckPending: 20000,
      ackWaitMs: 30000,
      writer,
    });
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const natsCpuStart = processCpuSeconds(server.pid);
    await collector.start();
    while (
      collector.stats.stored + collector.stats.duplicates + collector.stats.quarantined <
      events.length
    ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const ingestSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    const natsServerCpuSeconds = processCpuSeconds(server.pid) - natsCpuStart;
    await collector.stop();
    const stored = store.storedEventCount();
    const agents = store.runAgents('bench-run');
    return {
      events: events.length,
      publishSeconds,
      ingestSeconds,
      eventsPerSecond: events.length / ingestSeconds,
      stored,
      lost: events.length - stored,
      duplicates: collector.stats.duplicates,
      quarantined: collector.stats.quarantined,
      complete: agents.length > 0 && runCompleteness(store, 'bench-run').status === 'complete',
      collectorCpuSeconds: (cpu.user + cpu.system) / 1e6,
      natsServerCpuSeconds,
    };
  } finally {
    store.close();
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
