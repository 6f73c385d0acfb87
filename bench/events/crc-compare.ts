/**
 * What the outbox's per-entry CRC-32 costs: the same outbox with and without checksums (`checksums: false` writes
 * the pre-checksum segment format), at equal load, in one process, in interleaved rounds (CRC, plain, CRC, plain,
 * …) so that whatever else runs on the box weighs on both alike.
 *
 * One round: append `events` realistic run events (`window` at a time, group commit), read and acknowledge them
 * all; then `events` more, close, reopen (recovery parses and checks every line) and read and acknowledge them.
 * The figure is the process's CPU time per event (user + system), steadier than wall time on a shared box; the
 * wall time is reported too. The ratio compares the medians of the two modes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventOutbox } from '../../apps/agent/src/events/index.js';
import { makeRunEvent } from '../../test/support/run-events.js';

/** One round of one mode. */
export interface CrcRound {
  checksums: boolean;
  cpuMicrosPerEvent: number;
  wallMicrosPerEvent: number;
}

/** The comparison's result. */
export interface CrcComparison {
  eventsPerRound: number;
  roundsPerMode: number;
  meanEventBytes: number;
  rounds: CrcRound[];
  medianCpuMicrosPerEvent: { crc: number; plain: number };
  medianWallMicrosPerEvent: { crc: number; plain: number };
  /** CPU per event with checksums over CPU per event without (medians). */
  cpuRatio: number;
  wallRatio: number;
  loadAverage1m: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function drain(outbox: EventOutbox): Promise<void> {
  while (outbox.pendingCount > 0) {
    const entries = outbox.read(0, 4096);
    if (entries.length === 0) {
      await new Promise<void>((resolve) => outbox.once('durable', resolve));
      continue;
    }
    for (const entry of entries) outbox.ack(entry.n);
  }
}

async function round(checksums: boolean, events: number, window: number): Promise<CrcRound> {
  const dir = mkdtempSync(join(tmpdir(), 'rigbench-bench-crc-'));
  const options = { dir, maxBytes: 1 << 30, maxMemoryBytes: 1 << 29, checksums };
  const payloads = (offset: number): string[] =>
    Array.from({ length: events }, (_, i) =>
      JSON.stringify(makeRunEvent('bench', 'crc', offset + i + 2, 1e9)),
    );
  // Serialised before the clock starts: JSON.stringify is the publisher's cost, not the outbox's.
  const first = payloads(0);
  const second = payloads(events);
  const append = async (outbox: EventOutbox, list: string[], offset: number): Promise<void> => {
    for (let i = 0; i < list.length; i += window) {
      const writes: Promise<number>[] = [];
      for (let j = i; j < Math.min(list.length, i + window); j += 1) {
        writes.push(
          outbox.append({
            subject: 'rigbench.events.bench.crc',
            msgId: `crc.bench.${offset + j}`,
            payload: list[j]!,
          }),
        );
      }
      await Promise.all(writes);
    }
  };
  try {
    const cpu = process.cpuUsage();
    const started = performance.now();
    let outbox = await EventOutbox.open(options);
    await append(outbox, first, 0);
    await drain(outbox);
    await append(outbox, second, events);
    await outbox.close();
    outbox = await EventOutbox.open(options);
    await drain(outbox);
    await outbox.close();
    const used = process.cpuUsage(cpu);
    const wall = performance.now() - started;
    return {
      checksums,
      cpuMicrosPerEvent: (used.user + used.system) / (2 * events),
      wallMicrosPerEvent: (wall * 1000) / (2 * events),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `roundsPerMode` interleaved rounds of each mode (after one warm-up round of each, not counted). */
export async function compareChecksumCost(
  events: number,
  roundsPerMode: number,
  window: number,
): Promise<CrcComparison> {
  await round(true, Math.min(events, 5000), window);
  await round(false, Math.min(events, 5000), window);
  const rounds: CrcRound[] = [];
  for (let i = 0; i < roundsPerMode; i += 1) {
    // Alternate which mode goes first, so neither always runs on a warmer (or busier) box.
    const order = i % 2 === 0 ? [true, false] : [false, true];
    for (const checksums of order) rounds.push(await round(checksums, events, window));
  }
  const pick = (checksums: boolean, key: 'cpuMicrosPerEvent' | 'wallMicrosPerEvent'): number =>
    median(rounds.filter((r) => r.checksums === checksums).map((r) => r[key]));
  const cpu = { crc: pick(true, 'cpuMicrosPerEvent'), plain: pick(false, 'cpuMicrosPerEvent') };
  const wall = { crc: pick(true, 'wallMicrosPerEvent'), plain: pick(false, 'wallMicrosPerEvent') };
  return {
    eventsPerRound: events,
    roundsPerMode,
    meanEventBytes: Math.round(JSON.stringify(makeRunEvent('bench', 'crc', 5, 1e9)).length),
    rounds,
    medianCpuMicrosPerEvent: cpu,
    medianWallMicrosPerEvent: wall,
    cpuRatio: cpu.crc / cpu.plain,
    wallRatio: wall.crc / wall.plain,
    loadAverage1m: loadavg()[0]!,
  };
}

/** The comparison as lines of text. */
export function formatComparison(result: CrcComparison): string[] {
  const f = (x: number): string => x.toFixed(2);
  return [
    `outbox checksum cost: ${result.roundsPerMode} interleaved rounds per mode, ${result.eventsPerRound} events ` +
      `(${result.meanEventBytes} B) appended, read, acked; as many again recovered from disk and acked`,
    ...result.rounds.map(
      (r, i) =>
        `  round ${String(i + 1).padStart(2)} ${r.checksums ? 'crc  ' : 'plain'} ` +
        `cpu ${f(r.cpuMicrosPerEvent)} µs/event, wall ${f(r.wallMicrosPerEvent)} µs/event`,
    ),
    `  median cpu  crc ${f(result.medianCpuMicrosPerEvent.crc)} / plain ${f(result.medianCpuMicrosPerEvent.plain)} ` +
      `µs/event => ratio ${result.cpuRatio.toFixed(3)}`,
    `  median wall crc ${f(result.medianWallMicrosPerEvent.crc)} / plain ${f(result.medianWallMicrosPerEvent.plain)} ` +
      `µs/event => ratio ${result.wallRatio.toFixed(3)} (load average ${result.loadAverage1m.toFixed(2)})`,
  ];
}
