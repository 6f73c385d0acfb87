/**
 * `npm run bench:events`: events per second from the durable outbox through JetStream with acks, 0 lost.
 *
 * Starts its own nats-server (JetStream, file storage, temp dir), publishes N realistic run events through
 * EventPublisher (each fsynced into the outbox before `publish()` resolves, removed on its JetStream ack), waits
 * until every one is acknowledged, then reads the stream back and checks it holds exactly the N message ids.
 * Options: `--events N` (default 100000), `--in-flight N` (publishes awaiting an ack, default 2048), `--window N`
 * (events handed to the outbox before waiting for their fsync, default 1024), `--json` (one machine-readable line).
 * Exits 1 when an event is missing or duplicated, or when the rate is below `--min-rate` (default 0: report only).
 *
 * `--crc-compare ROUNDS` measures instead what the outbox's per-entry checksum costs: ROUNDS interleaved rounds of
 * the outbox with and without it, `--events` per round (see `crc-compare.ts`); no nats-server.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { EVENT_STREAM, eventMessageId } from '@rigbench/shared';
import { EventPublisher } from '../../apps/agent/src/events/index.js';
import { startNatsServer } from '../../test/support/nats-server.js';
import { makeRunEvent } from '../../test/support/run-events.js';
import { readStream } from '../../test/support/stream-reader.js';
import { compareChecksumCost, formatComparison } from './crc-compare.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    'in-flight': { type: 'string', default: '2048' },
    window: { type: 'string', default: '1024' },
    'min-rate': { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
    'crc-compare': { type: 'string' },
  },
});
const total = Number(values.events);
const maxInFlight = Number(values['in-flight']);
const minRate = Number(values['min-rate']);
const window = Number(values.window);
const agentId = 'bench-agent';
const runId = 'bench-run';

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

if (values['crc-compare'] !== undefined) {
  const rounds = Number(values['crc-compare']);
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error(
      `events bench: --crc-compare must be a whole number of rounds >= 1, got '${values['crc-compare']}'`,
    );
    process.exit(2);
  }
  const result = await compareChecksumCost(total, rounds, window);
  console.log(values.json ? JSON.stringify(result) : formatComparison(result).join('\n'));
  process.exit(0);
}

const server = await startNatsServer();
const outboxDir = mkdtempSync(join(tmpdir(), 'rigbench-bench-outbox-'));
let exitCode = 0;
try {
  const eventBytes = JSON.stringify(makeRunEvent(agentId, runId, 2, total)).length * total;
  const publisher = new EventPublisher({
    agentId,
    nats: { servers: [server.url] },
    outbox: { dir: outboxDir, maxBytes: 4 * eventBytes + 64 * 1024 * 1024 },
    maxInFlight,
  });
  let errors = 0;
  publisher.on('publishError', () => (errors += 1));
  await publisher.start();

  const cpuBefore = process.cpuUsage();
  const serverCpuBefore = processCpuSeconds(server.pid);
  const started = performance.now();
  // The producer hands over `window` events at a time without waiting for each fsync: appends made while a
  // write is in flight share the next one (group commit). Events are created as they are published, as in a run.
  for (let first = 1; first <= total; first += window) {
    const writes: Promise<void>[] = [];
    for (let seq = first; seq < first + window && seq <= total; seq += 1) {
      writes.push(publisher.publish(makeRunEvent(agentId, runId, seq, total)));
    }
    await Promise.all(writes);
  }
  const durableAt = performance.now();
  const flushed = await publisher.flush(300_000);
  const ackedAt = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  const agentCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const serverCpuSeconds = processCpuSeconds(server.pid) - serverCpuBefore;
  await publisher.stop({ timeoutMs: 5_000 });

  const nc = await connect({ servers: server.url });
  const info = await (await jetstreamManager(nc)).streams.info(EVENT_STREAM);
  const stored = await readStream(nc, EVENT_STREAM);
  await nc.close();
  const ids = new Set(stored.map((m) => m.msgId));
  let missing = 0;
  for (let seq = 1; seq <= total; seq += 1) if (!ids.has(eventMessageId(runId, agentId, seq))) missing += 1;
  const duplicates = stored.length - ids.size;
  const inOrder = stored.every((m, i) => m.msgId === eventMessageId(runId, agentId, i + 1));

  const seconds = (ackedAt - started) / 1000;
  const rate = total / seconds;
  const result = {
    events: total,
    stored: info.state.messages,
    missing,
    duplicates,
    inOrder,
    flushed,
    publishErrors: errors,
    seconds: Number(seconds.toFixed(3)),
    outboxDurableSeconds: Number(((durableAt - started) / 1000).toFixed(3)),
    eventsPerSecond: Math.round(rate),
    meanEventBytes: Math.round(eventBytes / total),
    agentCpuSeconds: Number(agentCpuSeconds.toFixed(2)),
    natsServerCpuSeconds: Number(serverCpuSeconds.toFixed(2)),
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    maxInFlight,
  };
  if (values.json) {
    console.log(JSON.stringify(result));
  } else {
    console.log(
      `events bench: ${total} events (${result.meanEventBytes} B mean) outbox (fsync) -> JetStream (file)`,
    );
    console.log(`  all durable in outbox after ${result.outboxDurableSeconds} s`);
    console.log(`  all acknowledged after     ${result.seconds} s`);
    console.log(
      `  stream holds ${result.stored}, missing ${missing}, duplicates ${duplicates}, in order ${inOrder}`,
    );
    console.log(`  publish errors (retried) ${errors}`);
    console.log(
      `  CPU: agent ${result.agentCpuSeconds} s, nats-server ${result.natsServerCpuSeconds} s ` +
        `(load average ${result.loadAverage1m} on ${cpus().length} cores: other work shares them)`,
    );
    console.log(`  => ${result.eventsPerSecond} events/s end-to-end with acks`);
  }
  if (!flushed || missing > 0 || duplicates > 0 || info.state.messages !== total) {
    console.error('events bench: FAILED, events lost or duplicated');
    exitCode = 1;
  } else if (rate < minRate) {
    console.error(`events bench: FAILED, ${Math.round(rate)} events/s is below --min-rate ${minRate}`);
    exitCode = 1;
  }
} finally {
  await server.dispose();
  rmSync(outboxDir, { recursive: true, force: true });
}
process.exit(exitCode);
