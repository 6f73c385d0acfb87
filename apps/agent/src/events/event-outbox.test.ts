import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directoryBytes } from '../../../../test/support/directory-bytes.js';
import { OutboxFullError, OutboxLockedError } from './event-errors.js';
import { EventOutbox, type OutboxUsage } from './event-outbox.js';

const record = (i: number, size = 40) => ({
  subject: `rigbench.events.a1.r1`,
  msgId: `r1.a1.${i}`,
  payload: JSON.stringify({ seq: i, pad: 'x'.repeat(size) }),
});

/** Waits until the outbox's own count of its disk use matches the directory's files (ack records written). */
async function filesSettled(outbox: EventOutbox, dir: string): Promise<number> {
  const deadline = Date.now() + 5_000;
  while (directoryBytes(dir) !== outbox.usage().bytes && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return directoryBytes(dir);
}

describe('EventOutbox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rigbench-outbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('outbox - returns durable entries in order and forgets them once acknowledged', async () => {
    const outbox = await EventOutbox.open({ dir, maxBytes: 1 << 20 });
    const ns = await Promise.all(Array.from({ length: 100 }, (_, i) => outbox.append(record(i + 1))));
    expect(ns).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(outbox.pendingCount).toBe(100);
    const entries = outbox.read(1, 1000);
    expect(entries.map((e) => e.msgId)).toEqual(ns.map((n) => `r1.a1.${n}`));
    for (const n of [3, 1, 2]) expect(outbox.ack(n)).toBe(true);
    expect(outbox.ack(2)).toBe(false);
    expect(outbox.firstPendingN()).toBe(4);
    expect(outbox.read(0, 2).map((e) => e.n)).toEqual([4, 5]);
    expect(outbox.pendingCount).toBe(97);
    await outbox.close();
  });

  test('outbox - a reopened outbox resends exactly the unacknowledged entries with the same message ids', async () => {
    let outbox = await EventOutbox.open({ dir, maxBytes: 1 << 20 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => outbox.append(record(i + 1))));
    for (let n = 1; n <= 50; n += 2) outbox.ack(n);
    await outbox.close();
    // A torn tail: a crash in the middle of a write that never resolved.
    const log = readdirSync(dir).find((name) => name.endsWith('.log'))!;
    appendFileSync(join(dir, log), '51\trigbench.events.a1.r1\tr1.a1.51\t{"se');

    outbox = await EventOutbox.open({ dir, maxBytes: 1 << 20 });
    expect(outbox.pendingCount).toBe(25);
    const again = outbox.read(0, 1000);
    expect(again.map((e) => e.msgId)).toEqual(Array.from({ length: 25 }, (_, i) => `r1.a1.${2 * (i + 1)}`));
    expect(JSON.parse(Buffer.from(again[0]!.data).toString())).toMatchObject({ seq: 2 });
    const next = await outbox.append(record(51));
    expect(next).toBeGreaterThan(50);
    for (const e of outbox.read(0, 1000)) outbox.ack(e.n);
    expect(outbox.pendingCount).toBe(0);
    await outbox.close();
  });

  test('outbox - compacts acknowledged segments and keeps disk use bounded', async () => {
    const outbox = await EventOutbox.open({ dir, maxBytes: 1 << 20, segmentBytes: 8192 });
    for (let round = 0; round < 10; round += 1) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => outbox.append(record(round * 100 + i, 100))));
      for (const e of outbox.read(0, 1000)) outbox.ack(e.n);
    }
    await outbox.close();
    const logs = readdirSync(dir).filter((name) => name.endsWith('.log'));
    expect(logs.length).toBeLessThanOrEqual(2);
    const reopened = await EventOutbox.open({ dir, maxBytes: 1 << 20 });
    expect(reopened.pendingCount).toBe(0);
    expect(readdirSync(dir).filter((name) => name.endsWith('.log'))).toHaveLength(0);
    await reopened.close();
  });

  test('outbox - warns at 80% and rejects appends beyond maxBytes with OutboxFullError', async () => {
    const outbox = await EventOutbox.open({ dir, maxBytes: 20_000, segmentBytes: 4096 });
    const warnings: OutboxUsage[] = [];
    const rejected: OutboxFullError[] = [];
    outbox.on('warning', (usage) => warnings.push(usage));
    outbox.on('rejected', (error) => rejected.push(error));
    let accepted = 0;
    let failure: unknown;
    for (let i = 1; i <= 1000 && failure === undefined; i += 1) {
      try {
        await outbox.append(record(i, 100));
        accepted += 1;
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toBeInstanceOf(OutboxFullError);
    expect((failure as OutboxFullError).message).toMatch(/outbox .* is full: \d+ of 20000 bytes/);
    expect(rejected).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.ratio).toBeGreaterThanOrEqual(0.8);
    expect(warnings[0]!.ratio).toBeLessThan(1);
    expect(outbox.usage().bytes).toBeLessThanOrEqual(20_000);
    expect(outbox.pendingCount).toBe(accepted);
    // Acknowledging frees whole segments, after which appends succeed again.
    for (const e of outbox.read(0, 10_000)) outbox.ack(e.n);
    const deadline = Date.now() + 5_000;
    while (outbox.usage().bytes >= 10_000 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(outbox.usage().bytes).toBeLessThan(10_000);
    await expect(outbox.append(record(9999))).resolves.toBeGreaterThan(accepted);
    await outbox.close();
  });

  test('outbox - the bound covers every file it writes: the lock, segment headers and the acks still to come', async () => {
    const MAX = 20_000;
    const outbox = await EventOutbox.open({ dir, maxBytes: MAX, segmentBytes: 4096 });
    let accepted = 0;
    for (let i = 1; i <= 1000; i += 1) {
      try {
        await outbox.append(record(i, 100));
        accepted += 1;
      } catch (error) {
        expect(error).toBeInstanceOf(OutboxFullError);
        break;
      }
    }
    expect(accepted).toBeGreaterThan(50);
    // Full: the files on disk (several segments with their headers, and the lock) are what the outbox counts.
    expect(readdirSync(dir).filter((name) => name.endsWith('.log')).length).toBeGreaterThan(3);
    expect(await filesSettled(outbox, dir)).toBe(outbox.usage().bytes);
    expect(directoryBytes(dir)).toBeLessThanOrEqual(MAX);
    // Acknowledging all but every tenth entry writes ack records and frees no segment: still within the bound.
    const entries = outbox.read(0, 10_000);
    expect(entries).toHaveLength(accepted);
    for (const e of entries) if (e.n % 10 !== 0) outbox.ack(e.n);
    const afterAcks = await filesSettled(outbox, dir);
    expect(afterAcks).toBe(outbox.usage().bytes);
    expect(afterAcks).toBeLessThanOrEqual(MAX);
    expect(readdirSync(dir).filter((name) => name.endsWith('.ack')).length).toBeGreaterThan(3);
    await outbox.close();
    // Reopened: the entries still pending owe their ack records again, and acknowledging them stays in bounds.
    const reopened = await EventOutbox.open({ dir, maxBytes: MAX, segmentBytes: 4096 });
    expect(reopened.pendingCount).toBe(Math.floor(accepted / 10));
    await expect(reopened.append(record(5000, 20_000))).rejects.toBeInstanceOf(OutboxFullError);
    for (const e of reopened.read(0, 10_000)) reopened.ack(e.n);
    expect(await filesSettled(reopened, dir)).toBeLessThanOrEqual(MAX);
    await reopened.close();
  });

  test('outbox - entries beyond the memory budget are read back from disk in order', async () => {
    const outbox = await EventOutbox.open({
      dir,
      maxBytes: 1 << 22,
      maxMemoryBytes: 2000,
      segmentBytes: 8192,
    });
    const total = 500;
    await Promise.all(Array.from({ length: total }, (_, i) => outbox.append(record(i + 1))));
    const seen: string[] = [];
    let cursor = 0;
    let diskReads = 0;
    while (outbox.pendingCount > 0) {
      const batch = outbox.read(cursor, 7);
      if (batch.length === 0) {
        // Spilled entries are read back in the background; `durable` says when they can be read (as the
        // publisher's pump waits for it).
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no durable event within 5 s')), 5_000);
          outbox.once('durable', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        diskReads += 1;
        continue;
      }
      for (const e of batch) {
        seen.push(e.msgId);
        outbox.ack(e.n);
        cursor = e.n + 1;
      }
    }
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => `r1.a1.${i + 1}`));
    expect(diskReads).toBeGreaterThan(0);
    expect(outbox.pendingCount).toBe(0);
    await outbox.close();
  });

  test('outbox - a reopened outbox larger than the memory budget hands out every entry, the rest from disk', async () => {
    let outbox = await EventOutbox.open({ dir, maxBytes: 1 << 22, maxMemoryBytes: 2000, segmentBytes: 8192 });
    const total = 300;
    await Promise.all(Array.from({ length: total }, (_, i) => outbox.append(record(i + 1))));
    // Some of the cached ones are acknowledged before the restart (odd numbers).
    const acked = new Set(
      outbox
        .read(0, total)
        .map((e) => e.n)
        .filter((n) => n % 2 === 1),
    );
    expect(acked.size).toBeGreaterThan(0);
    for (const n of acked) expect(outbox.ack(n)).toBe(true);
    await outbox.close();
    outbox = await EventOutbox.open({ dir, maxBytes: 1 << 22, maxMemoryBytes: 2000, segmentBytes: 8192 });
    const expected = Array.from({ length: total }, (_, i) => i + 1).filter((n) => !acked.has(n));
    expect(outbox.pendingCount).toBe(expected.length);
    // The first entries are cached at open; the first read needs no disk.
    expect(outbox.read(0, 1)[0]?.n).toBe(2);
    const seen: number[] = [];
    while (outbox.pendingCount > 0) {
      const batch = outbox.read(0, 50);
      if (batch.length === 0) {
        await new Promise<void>((resolve) => outbox.once('durable', resolve));
        continue;
      }
      for (const e of batch) {
        seen.push(e.n);
        outbox.ack(e.n);
      }
    }
    expect(seen).toEqual(expected);
    await outbox.close();
  });

  test('outbox - one writer per directory: a live holder is refused, a dead one is taken over', async () => {
    const outbox = await EventOutbox.open({ dir, maxBytes: 1 << 20 });
    await expect(EventOutbox.open({ dir, maxBytes: 1 << 20 })).rejects.toThrow(OutboxLockedError);
    await outbox.close();
    // A lock left behind by a process that no longer exists (e.g. an agent killed with SIGKILL).
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(join(dir, 'LOCK'), `${dead.stdout}\n`);
    const reopened = await EventOutbox.open({ dir, maxBytes: 1 << 20 });
    await reopened.close();
    // A live foreign process holding the lock: the parent of this test process.
    writeFileSync(join(dir, 'LOCK'), `${process.ppid}\n`);
    await expect(EventOutbox.open({ dir, maxBytes: 1 << 20 })).rejects.toThrow(/in use by process/);
  });
});
