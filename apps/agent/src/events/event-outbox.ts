/**
 * A durable, bounded, on-disk outbox for events on their way to JetStream.
 *
 * Layout: an append-only log of segment files `seg-<firstEntry>.log` (one entry per line with a CRC-32, see
 * `outbox-segment-format.ts`) plus, per segment, an ack log `seg-<firstEntry>.ack` (one acknowledged entry
 * number per line). A segment is deleted as a whole once it is sealed and every entry in it is acknowledged, so
 * compaction is an `unlink`, never a rewrite.
 *
 * Why segment files and not better-sqlite3 (WAL): durability needs one fsync per append, and 20,000 events/s on a
 * 2-core box is only reachable with group commit. Here appends that arrive while a write is in flight share the
 * next `write` + `fdatasync`, done with async file handles, so the event loop keeps publishing while the disk
 * syncs. better-sqlite3 is synchronous: every commit's fsync would block the event loop (and with it the NATS
 * client), and deleting acknowledged rows costs a write of its own, where here an ack is a few bytes appended to a
 * log and compaction is free.
 *
 * Guarantees: `append()` resolves only after the entry is on disk (`fdatasync`). An entry leaves the outbox only
 * through `ack()`. Ack records are written promptly but not fsynced per ack: after a power loss the last few
 * acknowledged entries may come back and are resent with the same message id, which JetStream drops as duplicates
 * inside the stream's duplicate window. A torn last line (crash during a write) belonged to an append that never
 * resolved and is ignored on recovery. A line that fails its checksum (a flipped bit, a damaged newline) is moved
 * to the dead-letter file (`outbox-dead-letter.ts`) and reported through `onDeadLetter`, never published. The
 * directory is locked against a second writer (`outbox-lock.ts`).
 *
 * Over 400 lines: the append path (group commit), acks/compaction and the spill cache share the segment list and
 * its counters; the file format, the lock and the dead letters live in their own modules.
 *
 * Memory: unacknowledged entries are kept in memory up to `maxMemoryBytes`; beyond that they stay on disk only and
 * are read back from their segment when the publisher reaches them, so a large `maxBytes` does not cost RAM.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { OutboxClosedError, OutboxFullError, OutboxWriteError } from './event-errors.js';
import { silentLogger, type Logger } from '@rigbench/shared';
import { writeDeadLetter, type DeadLetter, type DeadLetterReason } from './outbox-dead-letter.js';
import { lockOutboxDir, unlockOutboxDir } from './outbox-lock.js';
import { entryChecksum, parseSegment, SEGMENT_HEADER, type CorruptLine } from './outbox-segment-format.js';

/** What the caller hands to {@link EventOutbox.append}. */
export interface OutboxRecord {
  /** NATS subject, no whitespace. */
  subject: string;
  /** JetStream message id (`Nats-Msg-Id`), no whitespace. */
  msgId: string;
  /** The message body, a single line (JSON from `JSON.stringify` qualifies). */
  payload: string;
}

/** A durable, not yet acknowledged entry. */
export interface OutboxEntry {
  /** Entry number, increasing in append order. */
  readonly n: number;
  readonly subject: string;
  readonly msgId: string;
  /** The payload as UTF-8 bytes, ready to publish (a view into the written batch, not a copy). */
  readonly data: Uint8Array;
  /** Size of the entry on disk, in bytes. */
  readonly bytes: number;
}

/** Options for {@link EventOutbox.open}. */
export interface EventOutboxOptions {
  /** Directory of the outbox; created when missing. One process at a time. */
  dir: string;
  /** Upper bound of the outbox on disk, in bytes; appends beyond it fail with {@link OutboxFullError}. */
  maxBytes: number;
  /** Fraction of `maxBytes` at which a warning is logged and emitted (default 0.8). */
  warnRatio?: number;
  /** Segment files roll over at this size, in bytes (default: 8 MiB, at most `maxBytes / 8`). */
  segmentBytes?: number;
  /** Unacknowledged entries kept in memory, in bytes (default 32 MiB); the rest is read back from disk. */
  maxMemoryBytes?: number;
  logger?: Logger;
  /** Called for every entry moved to the dead-letter file (corrupt on disk, or given up by the caller). */
  onDeadLetter?: (letter: Omit<DeadLetter, 'data'>) => void;
}

/** Disk use of the outbox. */
export interface OutboxUsage {
  /** Entries on disk not yet acknowledged. */
  pending: number;
  /** Bytes of segment and ack files. */
  bytes: number;
  /** `bytes / maxBytes`, 0–1. */
  ratio: number;
  maxBytes: number;
}

/** Events of {@link EventOutbox}. */
export interface EventOutboxEvents {
  /** New entries became durable and can be published. */
  durable: [];
  /** Disk use crossed `warnRatio` upwards. */
  warning: [OutboxUsage];
  /** An append was refused because the outbox is full. */
  rejected: [OutboxFullError];
  /** Acknowledged segments were deleted; disk use went down. */
  compacted: [OutboxUsage];
}

interface Segment {
  readonly firstN: number;
  readonly logPath: string;
  readonly ackPath: string;
  lastN: number;
  /** Bytes of the log file plus the ack file. */
  bytes: number;
  unacked: number;
  sealed: boolean;
  deleting: boolean;
  logFile: FileHandle | undefined;
  ackFile: FileHandle | undefined;
  ackBuffer: number[];
  /** Acks read back at recovery; consulted when spilled entries are reloaded. */
  recoveredAcks: Set<number> | undefined;
  /** Offsets of corrupt lines already moved to the dead-letter file (a segment may be re-read). */
  deadOffsets: Set<number>;
}

interface Entry extends OutboxEntry {
  readonly segment: Segment;
  acked: boolean;
}

interface PendingAppend {
  readonly n: number;
  readonly record: OutboxRecord;
  /** `n \t subject \t msgId \t crc \t`; payload and newline follow. */
  readonly prefix: string;
  readonly bytes: number;
  /** Bytes of the line before the payload. */
  readonly prefixBytes: number;
  readonly resolve: (n: number) => void;
  readonly reject: (error: Error) => void;
}

const SEGMENT_PATTERN = /^seg-(\d{16})\.log$/;
const segmentName = (firstN: number): string => `seg-${String(firstN).padStart(16, '0')}`;
const FIELD_FORBIDDEN = /[\t\n\r ]/;
const NEWLINE = 0x0a;
const HEADER = Buffer.from(SEGMENT_HEADER);

/** A durable on-disk outbox; see the module documentation. Create with {@link EventOutbox.open}. */
export class EventOutbox extends EventEmitter<EventOutboxEvents> {
  /** The outbox directory. */
  readonly dir: string;
  /** The disk bound, in bytes. */
  readonly maxBytes: number;
  private readonly warnRatio: number;
  private readonly segmentBytes: number;
  private readonly maxMemoryBytes: number;
  private readonly log: Logger;
  private readonly onDeadLetter: (letter: Omit<DeadLetter, 'data'>) => void;

  private readonly segments: Segment[] = [];
  private active: Segment | undefined;
  /** Cached unacked entries in `n` order; acked ones are dropped from the front lazily. */
  private queue: Entry[] = [];
  private queueHead = 0;
  private readonly byN = new Map<number, Entry>();
  private memoryBytes = 0;
  /** Highest entry number in memory; entries above it up to `durableN` are on disk only. */
  private memLastN = 0;
  private durableN = 0;
  private nextN = 1;
  private pending = 0;
  private diskBytes = 0;
  private reservedBytes = 0;
  private warned = false;
  private closed = false;

  private batch: PendingAppend[] = [];
  private writing: Promise<void> | undefined;
  private ackChain: Promise<void> = Promise.resolve();
  private ackFlushScheduled = false;

  private constructor(options: EventOutboxOptions) {
    super();
    if (!(options.maxBytes > 0)) throw new TypeError(`outbox.maxBytes must be > 0, got ${options.maxBytes}`);
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.warnRatio = options.warnRatio ?? 0.8;
    if (!(this.warnRatio > 0 && this.warnRatio <= 1)) {
      throw new TypeError(`outbox.warnRatio must be in (0, 1], got ${this.warnRatio}`);
    }
    this.segmentBytes = Math.max(
      4096,
      options.segmentBytes ?? Math.min(8 * 1024 * 1024, Math.floor(options.maxBytes / 8)),
    );
    this.maxMemoryBytes = options.maxMemoryBytes ?? 32 * 1024 * 1024;
    this.log = options.logger ?? silentLogger;
    this.onDeadLetter = options.onDeadLetter ?? (() => undefined);
  }

  /**
   * Opens (and recovers) the outbox in `options.dir`. Rejects with {@link OutboxLockedError} while another live
   * process, or another open outbox in this process, uses the directory; a lock left by a dead process is taken over.
   */
  static async open(options: EventOutboxOptions): Promise<EventOutbox> {
    const outbox = new EventOutbox(options);
    mkdirSync(outbox.dir, { recursive: true });
    lockOutboxDir(outbox.dir);
    try {
      outbox.recover();
    } catch (error) {
      unlockOutboxDir(outbox.dir);
      throw error;
    }
    return outbox;
  }

  /** Entries on disk not yet acknowledged. */
  get pendingCount(): number {
    return this.pending;
  }

  /** Disk use now. */
  usage(): OutboxUsage {
    return {
      pending: this.pending,
      bytes: this.diskBytes,
      ratio: Math.min(1, this.diskBytes / this.maxBytes),
      maxBytes: this.maxBytes,
    };
  }

  /**
   * Writes a record and resolves with its entry number once it is fsynced. Rejects with {@link OutboxFullError}
   * (synchronously decided, nothing written) when it would exceed `maxBytes`.
   */
  append(record: OutboxRecord): Promise<number> {
    if (this.closed) return Promise.reject(new OutboxClosedError(this.dir));
    if (FIELD_FORBIDDEN.test(record.subject) || record.subject === '') {
      return Promise.reject(
        new TypeError(`outbox: subject '${record.subject}' must be non-empty, no whitespace`),
      );
    }
    if (FIELD_FORBIDDEN.test(record.msgId) || record.msgId === '') {
      return Promise.reject(
        new TypeError(`outbox: msgId '${record.msgId}' must be non-empty, no whitespace`),
      );
    }
    if (record.payload.includes('\n')) {
      return Promise.reject(new TypeError('outbox: payload must be a single line (use JSON.stringify)'));
    }
    const n = this.nextN;
    const head = `${n}\t${record.subject}\t${record.msgId}\t`;
    const prefix = `${head}${entryChecksum(head, record.payload)}\t`;
    const prefixBytes = Buffer.byteLength(prefix);
    const bytes = prefixBytes + Buffer.byteLength(record.payload) + 1;
    const used = this.diskBytes + this.reservedBytes;
    if (used + bytes > this.maxBytes) {
      const error = new OutboxFullError(this.dir, used, this.maxBytes, bytes);
      this.emit('rejected', error);
      return Promise.reject(error);
    }
    this.nextN += 1;
    this.reservedBytes += bytes;
    return new Promise<number>((resolve, reject) => {
      this.batch.push({ n, record, prefix, bytes, prefixBytes, resolve, reject });
      // Started after the current synchronous burst, so a loop of appends becomes one write and one fsync.
      this.writing ??= Promise.resolve().then(() => this.writeLoop());
    });
  }

  /**
   * Up to `max` unacknowledged durable entries with `n >= fromN`, in order. Entries spilled to disk are read
   * back here, so the call may read a segment file.
   */
  read(fromN: number, max: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    if (this.closed) return out;
    let i = this.lowerBound(fromN);
    for (;;) {
      while (i < this.queue.length && out.length < max) {
        const entry = this.queue[i]!;
        if (!entry.acked) out.push(entry);
        i += 1;
      }
      if (out.length >= max || this.memLastN >= this.durableN) return out;
      if (!this.loadSpilled()) return out;
    }
  }

  /** Number of the oldest unacknowledged entry, or undefined when nothing is pending. */
  firstPendingN(): number | undefined {
    this.dropAckedHead();
    const head = this.queue[this.queueHead];
    if (head) return head.n;
    return this.memLastN < this.durableN ? this.memLastN + 1 : undefined;
  }

  /** Marks an entry acknowledged; returns false when it was unknown or already acknowledged. */
  ack(n: number): boolean {
    const entry = this.byN.get(n);
    if (!entry || entry.acked || this.closed) return false;
    entry.acked = true;
    this.byN.delete(n);
    this.pending -= 1;
    this.memoryBytes -= entry.bytes;
    const segment = entry.segment;
    segment.unacked -= 1;
    segment.ackBuffer.push(n);
    const idle = segment === this.active && !this.writing && segment.unacked === 0;
    if (idle && segment.bytes >= Math.min(65536, this.segmentBytes)) {
      // Idle and fully acknowledged: give the space back instead of waiting for the next roll-over.
      this.sealActive();
    }
    if (segment.unacked === 0 && segment.sealed) this.scheduleDelete(segment);
    if (n === this.queue[this.queueHead]?.n) this.dropAckedHead();
    this.scheduleAckFlush();
    return true;
  }

  /**
   * Moves a pending entry to the dead-letter file and acknowledges it, so delivery goes on behind it: for an
   * entry JetStream refuses for good or NATS cannot carry. Returns false when the entry is not pending or not
   * in memory (it is then left as it is).
   */
  deadLetter(n: number, reason: DeadLetterReason, detail: string): boolean {
    const entry = this.byN.get(n);
    if (!entry || entry.acked || this.closed) return false;
    const letter = { reason, detail, n, subject: entry.subject, msgId: entry.msgId };
    writeDeadLetter(this.dir, { ...letter, data: entry.data });
    this.log.error('outbox entry moved to the dead-letter file', { dir: this.dir, ...letter });
    this.onDeadLetter(letter);
    return this.ack(n);
  }

  /** Waits for in-flight writes and ack records, then closes the files. Pending entries stay on disk. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.writing) await this.writing;
    this.closed = true;
    this.flushAcks();
    await this.ackChain;
    for (const segment of this.segments) {
      await segment.logFile?.close();
      if (segment.ackFile) {
        await segment.ackFile.sync();
        await segment.ackFile.close();
      }
      segment.logFile = undefined;
      segment.ackFile = undefined;
    }
    unlockOutboxDir(this.dir);
  }

  // ---- appends ------------------------------------------------------------------------------------------------

  private async writeLoop(): Promise<void> {
    try {
      while (this.batch.length > 0) {
        // One write + fdatasync per batch (group commit); a batch stops at a segment's worth of bytes.
        let size = 0;
        let count = 0;
        while (count < this.batch.length && (count === 0 || size < this.segmentBytes)) {
          size += this.batch[count]!.bytes;
          count += 1;
        }
        const items = this.batch.splice(0, count);
        try {
          await this.writeBatch(items, size);
        } catch (error) {
          this.reservedBytes -= size;
          // The file may hold part of the batch; continue in a fresh segment, recovery skips broken lines.
          if (this.active) this.sealActive();
          const failure = new OutboxWriteError(
            `outbox ${this.dir}: writing events failed: ${String(error)}`,
            {
              cause: error,
            },
          );
          this.log.error('outbox write failed', { dir: this.dir, error: String(error) });
          for (const item of items) item.reject(failure);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async writeBatch(items: PendingAppend[], size: number): Promise<void> {
    let segment = this.active;
    if (!segment || segment.bytes >= this.segmentBytes) {
      if (segment) this.sealActive();
      segment = await this.createSegment(items[0]!.n);
    }
    const file = segment.logFile!;
    const buffer = Buffer.allocUnsafe(size);
    let offset = 0;
    for (const item of items) {
      // Written piecewise: concatenating prefix and payload would copy every payload once more.
      offset += buffer.write(item.prefix, offset, 'utf8');
      offset += buffer.write(item.record.payload, offset, 'utf8');
      buffer[offset++] = NEWLINE;
    }
    await file.write(buffer, 0, buffer.length);
    await file.datasync();
    this.reservedBytes -= size;
    this.diskBytes += buffer.length;
    segment.bytes += buffer.length;
    offset = 0;
    for (const item of items) {
      segment.lastN = item.n;
      segment.unacked += 1;
      this.pending += 1;
      this.durableN = item.n;
      const cache = this.memLastN === item.n - 1 && this.memoryBytes + item.bytes <= this.maxMemoryBytes;
      if (cache) {
        this.cache({
          n: item.n,
          subject: item.record.subject,
          msgId: item.record.msgId,
          data: buffer.subarray(offset + item.prefixBytes, offset + item.bytes - 1),
          bytes: item.bytes,
          segment,
          acked: false,
        });
      }
      offset += item.bytes;
    }
    this.checkUsage();
    for (const item of items) item.resolve(item.n);
    this.emit('durable');
  }

  private async createSegment(firstN: number): Promise<Segment> {
    const name = segmentName(firstN);
    const segment: Segment = {
      firstN,
      logPath: join(this.dir, `${name}.log`),
      ackPath: join(this.dir, `${name}.ack`),
      lastN: firstN - 1,
      bytes: 0,
      unacked: 0,
      sealed: false,
      deleting: false,
      logFile: undefined,
      ackFile: undefined,
      ackBuffer: [],
      recoveredAcks: undefined,
      deadOffsets: new Set(),
    };
    segment.logFile = await open(segment.logPath, 'a');
    // Synced with the first batch's fdatasync; a header cut short reads as an empty segment.
    await segment.logFile.write(HEADER, 0, HEADER.length);
    segment.bytes += HEADER.length;
    this.diskBytes += HEADER.length;
    // The new directory entry must survive a crash too, or the fsynced data in it would be unreachable.
    const dirHandle = await open(this.dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    this.segments.push(segment);
    this.active = segment;
    return segment;
  }

  private sealActive(): void {
    const segment = this.active;
    if (!segment) return;
    segment.sealed = true;
    this.active = undefined;
    const file = segment.logFile;
    segment.logFile = undefined;
    this.ackChain = this.ackChain.then(() => file?.close()).catch(() => undefined);
    if (segment.unacked === 0) this.scheduleDelete(segment);
  }

  // ---- acks and compaction ------------------------------------------------------------------------------------

  private scheduleAckFlush(): void {
    if (this.ackFlushScheduled) return;
    this.ackFlushScheduled = true;
    setImmediate(() => {
      this.ackFlushScheduled = false;
      this.flushAcks();
    });
  }

  private flushAcks(): void {
    for (const segment of this.segments) {
      if (segment.ackBuffer.length === 0 || segment.deleting) {
        segment.ackBuffer = [];
        continue;
      }
      const text = `${segment.ackBuffer.join('\n')}\n`;
      segment.ackBuffer = [];
      this.ackChain = this.ackChain
        .then(async () => {
          if (segment.deleting) return;
          segment.ackFile ??= await open(segment.ackPath, 'a');
          const buffer = Buffer.from(text);
          await segment.ackFile.write(buffer, 0, buffer.length);
          segment.bytes += buffer.length;
          this.diskBytes += buffer.length;
        })
        .catch((error: unknown) => {
          // Losing an ack record only means a duplicate resend later, which JetStream de-duplicates.
          this.log.warn('outbox ack record failed', { dir: this.dir, error: String(error) });
        });
    }
  }

  private scheduleDelete(segment: Segment): void {
    if (segment.deleting) return;
    segment.deleting = true;
    segment.ackBuffer = [];
    this.ackChain = this.ackChain
      .then(async () => {
        await segment.ackFile?.close();
        segment.ackFile = undefined;
        await unlink(segment.logPath).catch(() => undefined);
        await unlink(segment.ackPath).catch(() => undefined);
        this.diskBytes -= segment.bytes;
        segment.bytes = 0;
        const index = this.segments.indexOf(segment);
        if (index >= 0) this.segments.splice(index, 1);
        this.checkUsage();
        this.emit('compacted', this.usage());
      })
      .catch((error: unknown) => {
        this.log.warn('outbox segment delete failed', { path: segment.logPath, error: String(error) });
      });
  }

  private checkUsage(): void {
    const ratio = this.diskBytes / this.maxBytes;
    if (!this.warned && ratio >= this.warnRatio) {
      this.warned = true;
      const usage = this.usage();
      this.log.warn('outbox nearly full', { dir: this.dir, ...usage, warnRatio: this.warnRatio });
      this.emit('warning', usage);
    } else if (this.warned && ratio < this.warnRatio * 0.9) {
      this.warned = false;
      this.log.info('outbox below warning level again', { dir: this.dir, ...this.usage() });
    }
  }

  // ---- memory cache -------------------------------------------------------------------------------------------

  private cache(entry: Entry): void {
    this.queue.push(entry);
    this.byN.set(entry.n, entry);
    this.memoryBytes += entry.bytes;
    this.memLastN = entry.n;
  }

  private dropAckedHead(): void {
    while (this.queueHead < this.queue.length && this.queue[this.queueHead]!.acked) this.queueHead += 1;
    if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Index of the first cached entry with `n >= fromN`. */
  private lowerBound(fromN: number): number {
    let lo = this.queueHead;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.queue[mid]!.n < fromN) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Reads entries after `memLastN` back from their segment; false when nothing could be loaded. */
  private loadSpilled(): boolean {
    const wanted = this.memLastN + 1;
    const segment = this.segments.find((s) => !s.deleting && s.firstN <= wanted && s.lastN >= wanted);
    if (!segment) {
      // Entries in a gap (burnt numbers of failed writes) do not exist; skip past them.
      const next = this.segments.find((s) => !s.deleting && s.firstN > wanted);
      if (!next) {
        this.memLastN = this.durableN;
        return false;
      }
      this.memLastN = next.firstN - 1;
      return true;
    }
    let loaded = 0;
    let stoppedEarly = false;
    const { entries, corrupt } = parseSegment(readFileSync(segment.logPath));
    this.reportCorrupt(segment, corrupt);
    for (const parsed of entries) {
      if (parsed.n < wanted || parsed.n > this.durableN) continue;
      if (segment.recoveredAcks?.has(parsed.n)) {
        this.memLastN = parsed.n;
        continue;
      }
      if (loaded > 0 && this.memoryBytes + parsed.bytes > this.maxMemoryBytes) {
        stoppedEarly = true;
        break;
      }
      this.cache({ ...parsed, segment, acked: false });
      loaded += 1;
    }
    if (!stoppedEarly) this.memLastN = Math.max(this.memLastN, Math.min(segment.lastN, this.durableN));
    return true;
  }

  /** Moves corrupt lines not reported before to the dead-letter file, loudly. */
  private reportCorrupt(segment: Segment, lines: readonly CorruptLine[]): void {
    for (const line of lines) {
      if (segment.deadOffsets.has(line.offset)) continue;
      segment.deadOffsets.add(line.offset);
      const letter = {
        reason: 'corrupt' as const,
        detail: line.reason,
        ...(line.n === undefined ? {} : { n: line.n }),
        source: `${segment.logPath}@${line.offset}`,
      };
      writeDeadLetter(this.dir, { ...letter, data: line.line });
      this.log.error('outbox entry corrupt on disk, moved to the dead-letter file, not published', letter);
      this.onDeadLetter(letter);
    }
  }

  // ---- recovery -----------------------------------------------------------------------------------------------

  private recover(): void {
    const names = readdirSync(this.dir)
      .filter((name) => SEGMENT_PATTERN.test(name))
      .sort();
    let recovered = 0;
    for (const name of names) {
      const firstN = Number(SEGMENT_PATTERN.exec(name)![1]);
      const base = segmentName(firstN);
      const segment: Segment = {
        firstN,
        logPath: join(this.dir, `${base}.log`),
        ackPath: join(this.dir, `${base}.ack`),
        lastN: firstN - 1,
        bytes: 0,
        unacked: 0,
        sealed: true,
        deleting: false,
        logFile: undefined,
        ackFile: undefined,
        ackBuffer: [],
        recoveredAcks: undefined,
        deadOffsets: new Set(),
      };
      const acks = new Set<number>();
      try {
        for (const line of readFileSync(segment.ackPath, 'utf8').split('\n')) {
          const n = Number(line);
          if (line !== '' && Number.isSafeInteger(n)) acks.add(n);
        }
      } catch {
        // No ack file: nothing in this segment was acknowledged yet.
      }
      const content = readFileSync(segment.logPath);
      const { entries, validLength, corrupt, legacy } = parseSegment(content);
      if (validLength < content.length) {
        // A torn tail: that append never resolved, so dropping it loses nothing anyone was promised.
        truncateSync(segment.logPath, validLength);
      }
      if (legacy)
        this.log.info('outbox segment without checksums (older rigbench)', { path: segment.logPath });
      this.reportCorrupt(
        segment,
        corrupt.filter((line) => line.n === undefined || !acks.has(line.n)),
      );
      // Numbers of corrupt lines are burnt too: a new entry must never reuse one.
      for (const line of corrupt) if (line.n !== undefined) this.nextN = Math.max(this.nextN, line.n + 1);
      const unacked = entries.filter((entry) => !acks.has(entry.n));
      const last = entries[entries.length - 1];
      if (unacked.length === 0) {
        unlinkSync(segment.logPath);
        try {
          unlinkSync(segment.ackPath);
        } catch {
          // Already gone.
        }
        if (last) this.nextN = Math.max(this.nextN, last.n + 1);
        continue;
      }
      segment.lastN = last!.n;
      segment.unacked = unacked.length;
      segment.recoveredAcks = acks;
      segment.bytes = validLength + fileSize(segment.ackPath);
      this.segments.push(segment);
      this.diskBytes += segment.bytes;
      this.pending += unacked.length;
      this.nextN = Math.max(this.nextN, segment.lastN + 1);
      this.durableN = segment.lastN;
      recovered += unacked.length;
    }
    // Nothing is cached yet: the first read() loads pending entries from the oldest segment on.
    const oldest = this.segments[0];
    if (oldest) {
      this.memLastN = oldest.firstN - 1;
    } else {
      this.durableN = this.nextN - 1;
      this.memLastN = this.durableN;
    }
    if (recovered > 0)
      this.log.info('outbox recovered pending events', { dir: this.dir, pending: recovered });
    this.checkUsage();
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
