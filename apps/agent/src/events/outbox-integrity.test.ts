import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventOutbox } from './event-outbox.js';
import { DEAD_LETTER_FILE } from './outbox-dead-letter.js';
import { processStartTicks } from './outbox-lock.js';
import { parseSegment } from './outbox-segment-format.js';

const record = (i: number) => ({
  subject: 'rigbench.events.a1.r1',
  msgId: `r1.a1.${i}`,
  payload: JSON.stringify({ seq: i, text: `event number ${i}` }),
});

describe('outbox integrity', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rigbench-outbox-integrity-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const segmentPath = (): string =>
    join(
      dir,
      readdirSync(dir).find((name) => name.endsWith('.log'))!,
    );
  const deadLetters = (): Array<Record<string, unknown>> =>
    readFileSync(join(dir, DEAD_LETTER_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  async function writeTen(): Promise<void> {
    const outbox = await EventOutbox.open({ dir, maxBytes: 1 << 20 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => outbox.append(record(i + 1))));
    await outbox.close();
  }

  /** Flips one bit of the first occurrence of `text` in the segment file. */
  function flip(text: string, at = 0): void {
    const path = segmentPath();
    const bytes = readFileSync(path);
    const offset = bytes.indexOf(text) + at;
    expect(offset).toBeGreaterThanOrEqual(at);
    bytes[offset] = bytes[offset]! ^ 0x04;
    writeFileSync(path, bytes);
  }

  test('outbox - a flipped payload byte is detected, dead-lettered and never read as an event', async () => {
    await writeTen();
    flip('event number 5', 6);
    const letters: unknown[] = [];
    const outbox = await EventOutbox.open({ dir, maxBytes: 1 << 20, onDeadLetter: (l) => letters.push(l) });
    const read = outbox.read(1, 100);
    expect(read.map((e) => e.n)).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10]);
    expect(read.every((e) => Buffer.from(e.data).toString().includes(`number ${e.n}`))).toBe(true);
    expect(letters).toEqual([
      expect.objectContaining({
        reason: 'corrupt',
        n: 5,
        detail: expect.stringContaining('checksum mismatch'),
      }),
    ]);
    const [letter] = deadLetters();
    expect(letter).toMatchObject({ reason: 'corrupt', n: 5 });
    expect(Buffer.from(letter!['dataBase64'] as string, 'base64').toString()).toContain('r1.a1.5\t');
    await outbox.close();
  });

  test('outbox - a damaged entry number or newline is reported, not skipped with a warning', async () => {
    await writeTen();
    flip('\n3\t', 1); // entry number 3 becomes 7: the checksum covers it
    flip('number 8"}\n', 10); // the newline after entry 8 merges it with entry 9
    const letters: Array<{ n?: number; detail: string }> = [];
    const outbox = await EventOutbox.open({ dir, maxBytes: 1 << 20, onDeadLetter: (l) => letters.push(l) });
    expect(outbox.read(1, 100).map((e) => e.n)).toEqual([1, 2, 4, 5, 6, 7, 10]);
    expect(letters).toHaveLength(2);
    expect(letters.every((l) => l.detail.startsWith('checksum mismatch'))).toBe(true);
    expect(deadLetters()).toHaveLength(2);
    // Entry numbers are never reused, even the damaged ones'.
    expect(await outbox.append(record(11))).toBe(11);
    await outbox.close();
  });

  test('outbox - a torn tail (an append that never resolved) is dropped without a dead letter', async () => {
    await writeTen();
    appendFileSync(segmentPath(), '11\trigbench.events.a1.r1\tr1.a1.11\t0000');
    const letters: unknown[] = [];
    const outbox = await EventOutbox.open({ dir, maxBytes: 1 << 20, onDeadLetter: (l) => letters.push(l) });
    expect(outbox.read(1, 100)).toHaveLength(10);
    expect(letters).toEqual([]);
    await outbox.close();
  });

  test('outbox - segments written before checksums are still read', async () => {
    writeFileSync(
      join(dir, 'seg-0000000000000001.log'),
      [1, 2].map((i) => `${i}\t${record(i).subject}\t${record(i).msgId}\t${record(i).payload}\n`).join(''),
    );
    const outbox = await EventOutbox.open({ dir, maxBytes: 1 << 20 });
    expect(outbox.read(1, 10).map((e) => Buffer.from(e.data).toString())).toEqual([
      record(1).payload,
      record(2).payload,
    ]);
    await outbox.close();
    expect(parseSegment(Buffer.from('rigbench-outbox 2\n')).entries).toEqual([]);
  });

  test('outbox - checksums off (the benchmark baseline) writes the pre-checksum format, read back alike', async () => {
    let outbox = await EventOutbox.open({ dir, maxBytes: 1 << 20, checksums: false });
    await Promise.all([1, 2, 3].map((i) => outbox.append(record(i))));
    await outbox.close();
    const bytes = readFileSync(segmentPath());
    expect(bytes.toString()).toBe(
      [1, 2, 3].map((i) => `${i}\t${record(i).subject}\t${record(i).msgId}\t${record(i).payload}\n`).join(''),
    );
    outbox = await EventOutbox.open({ dir, maxBytes: 1 << 20 });
    expect(outbox.read(1, 10).map((e) => Buffer.from(e.data).toString())).toEqual(
      [1, 2, 3].map((i) => record(i).payload),
    );
    await outbox.close();
  });

  test('outbox - a LOCK whose pid now belongs to another process (pid reuse) is taken over', async () => {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const live = process.ppid;
    const ticks = await processStartTicks(live);
    expect(ticks).not.toBeNull();
    // The same pid, started at another time: a reused pid, not the holder.
    writeFileSync(join(dir, 'LOCK'), `${live} ${Number(ticks) + 1} ${bootId}\n`);
    await (await EventOutbox.open({ dir, maxBytes: 1 << 20 })).close();
    // The same pid in an earlier boot (the usual case after a reboot).
    writeFileSync(join(dir, 'LOCK'), `${live} ${ticks} 00000000-0000-0000-0000-000000000000\n`);
    await (await EventOutbox.open({ dir, maxBytes: 1 << 20 })).close();
    // A legacy pid-only LOCK written before that process started.
    writeFileSync(join(dir, 'LOCK'), `${live}\n`);
    utimesSync(join(dir, 'LOCK'), new Date(0), new Date(0));
    await (await EventOutbox.open({ dir, maxBytes: 1 << 20 })).close();
    // The real holder, same pid, start time and boot: refused.
    writeFileSync(join(dir, 'LOCK'), `${live} ${ticks} ${bootId}\n`);
    await expect(EventOutbox.open({ dir, maxBytes: 1 << 20 })).rejects.toThrow(/in use by process/);
  });
});
