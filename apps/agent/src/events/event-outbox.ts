/**
 * A durable, bounded, on-disk outbox for events on their way to JetStream.
 *
 * Layout: an append-only log of segment files `seg-<firstEntry>.log` (one entry per line with a CRC-32, see
 * `outbox-segment-format.ts`) plus, per segment, an ack log `seg-<firstEntry>.ack` (one acknowledged entry
 * number per line). A segment is deleted as a whole once it is sealed and every entry in it is acknowledged, so
 * compaction is an `unlink`, never a rewrite.
 *
 * The parts, one module each: the directory lock (`outbox-lock.ts`), the line format (`outbox-segment-format.ts`),
 * what counts against the disk bound (`outbox-disk-bound.ts`), segment files, ack logs and compaction
 * (`outbox-segments.ts`), the group-commit writer (`outbox-writer.ts`), the memory cache and the spill path
 * (`outbox-memory-cache.ts`), recovery at open (`outbox-recovery.ts`) and the dead-letter file
 * (`outbox-dead-letter.ts`); the option and event types are in `event-outbox-types.ts`. This class holds the
 * counters they share and the public API. No file is read or written synchronously: the event loop (and with it
 * the NATS client) never waits for the disk.
 *
 * Why segment files and not better-sqlite3 (WAL): durability needs one fsync per append, and 20,000 events/s on a
 * 2-core box is only reachable with group commit. Here appends that arrive while a write is in flight share the
 * next `write` + `fdatasync`, done with async file handles, so the event loop keeps publishing while the disk
 * syncs. better-sqlite3 is synchronous: every commit's fsync would block the event loop, and deleting
 * acknowledged rows costs a write of its own, where here an ack is a few bytes appended to a log and compaction is
 * free.
 *
 * Guarantees: `append()` resolves only after the entry is on disk (`fdatasync`). An entry leaves the outbox only
 * through `ack()` or `deadLetter()`. Ack records are written promptly but not fsynced per ack: after a power loss
 * the last few acknowledged entries may come back and are resent with the same message id, which JetStream drops
 * as duplicates inside the stream's duplicate window. A torn last line (crash during a write) belonged to an
 * append that never resolved and is ignored on recovery. A line that fails its checksum (a flipped bit, a damaged
 * newline) is moved to the dead-letter file and reported through `onDeadLetter`, never published. A dead letter is
 * fsynced before its entry is recorded as gone, so a crash in between brings the entry back rather than losing it.
 *
 * Memory: unacknowledged entries are kept in memory up to `maxMemoryBytes`; beyond that they stay on disk only.
 * `read()` answers from memory; when the publisher has read everything cached and more is on disk, it starts an
 * asynchronous read of the next segment and emits `durable` once those entries can be read.
 */
import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { OutboxClosedError, OutboxFullError } from './event-errors.js';
import { silentLogger, type Logger } from '@rigbench/shared';
import type { EventOutboxEvents, EventOutboxOptions, OutboxUsage } from './event-outbox-types.js';
import { DeadLetterWriter, type DeadLetterReason } from './outbox-dead-letter.js';
import { lockOutboxDir, unlockOutboxDir } from './outbox-lock.js';
import {
  cacheParsed,
  loadSpilled,
  OutboxMemoryCache,
  type CachedEntry,
  type OutboxEntry,
} from './outbox-memory-cache.js';
import { recoverSegments } from './outbox-recovery.js';
import { OutboxDiskBound } from './outbox-disk-bound.js';
import { OutboxSegments, type Segment } from './outbox-segments.js';
import { CRC_FIELD_BYTES, type CorruptLine } from './outbox-segment-format.js';
import { GroupCommitWriter, type OutboxRecord, type PendingAppend } from './outbox-writer.js';

export type { OutboxEntry } from './outbox-memory-cache.js';
export type { OutboxRecord } from './outbox-writer.js';
export type { EventOutboxEvents, EventOutboxOptions, OutboxUsage } from './event-outbox-types.js';

const FIELD_FORBIDDEN = /[\t\n\r ]/;

/** A durable on-disk outbox; see the module documentation. Create with {@link EventOutbox.open}. */
export class EventOutbox extends EventEmitter<EventOutboxEvents> {
  /** The outbox directory. */
  readonly dir: string;
  /** The disk bound, in bytes. */
  readonly maxBytes: number;
  private readonly warnRatio: number;
  private readonly segmentBytes: number;
  private readonly checksums: boolean;
  private readonly log: Logger;

  private readonly segments: OutboxSegments;
  private readonly writer: GroupCommitWriter;
  private readonly bound: OutboxDiskBound;
  private readonly cache: OutboxMemoryCache;
  /** Highest durable entry number. */
  private durableN = 0;
  private nextN = 1;
  private pending = 0;
  private warned = false;
  private closed = false;
  /** The spilled entries being read back, when a read is in flight. */
  private loading: Promise<void> | undefined;
  private readonly deadLetters: DeadLetterWriter;

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
    this.checksums = options.checksums ?? true;
    this.log = options.logger ?? silentLogger;
    this.deadLetters = new DeadLetterWriter(this.dir, this.log, options.onDeadLetter ?? (() => undefined));
    this.cache = new OutboxMemoryCache(options.maxMemoryBytes ?? 32 * 1024 * 1024);
    this.segments = new OutboxSegments(this.dir, this.log, () => {
      this.checkUsage();
      this.emit('compacted', this.usage());
    });
    this.writer = new GroupCommitWriter(
      this.segments,
      { durable: (items, buffer, segment) => this.onDurable(items, buffer, segment) },
      { dir: this.dir, segmentBytes: this.segmentBytes, checksums: this.checksums, log: this.log },
    );
    this.bound = new OutboxDiskBound(this.segments, this.writer, {
      segmentBytes: this.segmentBytes,
      checksums: this.checksums,
    });
  }

  /**
   * Opens (and recovers) the outbox in `options.dir`. Rejects with {@link OutboxLockedError} while another live
   * process, or another open outbox in this process, uses the directory; a lock left by a dead process is taken over.
   */
  static async open(options: EventOutboxOptions): Promise<EventOutbox> {
    const outbox = new EventOutbox(options);
    await mkdir(outbox.dir, { recursive: true });
    outbox.bound.lockBytes = await lockOutboxDir(outbox.dir);
    try {
      await outbox.recover();
    } catch (error) {
      await unlockOutboxDir(outbox.dir);
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
    const bytes = this.bound.diskBytes();
    return {
      pending: this.pending,
      bytes,
      ratio: Math.min(1, bytes / this.maxBytes),
      maxBytes: this.maxBytes,
    };
  }

  /**
   * Writes a record and resolves with its entry number once it is fsynced. Rejects with {@link OutboxFullError}
   * (synchronously decided, nothing written) when it would exceed `maxBytes`.
   */
  append(record: OutboxRecord): Promise<number> {
    if (this.closed) return Promise.reject(new OutboxClosedError(this.dir));
    for (const field of ['subject', 'msgId'] as const) {
      if (FIELD_FORBIDDEN.test(record[field]) || record[field] === '') {
        return Promise.reject(
          new TypeError(`outbox: ${field} '${record[field]}' must be non-empty, no whitespace`),
        );
      }
    }
    if (record.payload.includes('\n')) {
      return Promise.reject(new TypeError('outbox: payload must be a single line (use JSON.stringify)'));
    }
    const n = this.nextN;
    const head = `${n}\t${record.subject}\t${record.msgId}\t`;
    const prefixBytes = Buffer.byteLength(head) + (this.checksums ? CRC_FIELD_BYTES : 0);
    const bytes = prefixBytes + Buffer.byteLength(record.payload) + 1;
    const used = this.bound.committedBytes();
    const needed = this.bound.entryBytes(n, bytes);
    if (used + needed > this.maxBytes) {
      const error = new OutboxFullError(this.dir, used, this.maxBytes, needed);
      this.emit('rejected', error);
      return Promise.reject(error);
    }
    this.nextN += 1;
    this.bound.oweAck(n);
    return new Promise<number>((resolve, reject) => {
      const failed = (error: Error) => {
        this.bound.dropAck(n); // Never written, so never acknowledged.
        reject(error);
      };
      this.writer.enqueue({ n, record, head, bytes, prefixBytes, resolve, reject: failed });
    });
  }

  /**
   * Up to `max` unacknowledged durable entries with `n >= fromN`, in order, from memory. When fewer are cached and
   * more wait on disk (beyond `maxMemoryBytes`), they are read back in the background and `durable` is emitted
   * once they can be read: call again then.
   */
  read(fromN: number, max: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    if (this.closed) return out;
    this.cache.collect(fromN, max, out);
    if (out.length < max && this.cache.lastN < this.durableN) this.loadInBackground();
    return out;
  }

  /** Number of the oldest unacknowledged entry, or undefined when nothing is pending. */
  firstPendingN(): number | undefined {
    const cached = this.cache.firstN();
    if (cached !== undefined) return cached;
    return this.cache.lastN < this.durableN ? this.cache.lastN + 1 : undefined;
  }

  /** Marks an entry acknowledged; returns false when it was unknown or already acknowledged. */
  ack(n: number): boolean {
    const entry = this.cache.get(n);
    if (!entry || this.closed) return false;
    this.cache.release(entry);
    this.settle(entry);
    return true;
  }

  /**
   * Moves a pending entry to the dead-letter file and acknowledges it, so delivery goes on behind it: for an
   * entry JetStream refuses for good or NATS cannot carry. The entry is no longer read at once; it stops counting
   * as pending (and `onDeadLetter` is called) once the letter is fsynced. Returns false when the entry is not
   * pending or not in memory (it is then left as it is).
   */
  deadLetter(n: number, reason: DeadLetterReason, detail: string): boolean {
    const entry = this.cache.get(n);
    if (!entry || this.closed) return false;
    this.cache.release(entry);
    const letter = { reason, detail, n, subject: entry.subject, msgId: entry.msgId };
    this.log.error('outbox entry moved to the dead-letter file', { dir: this.dir, ...letter });
    void this.deadLetters.write({ ...letter, data: entry.data }, () => this.settle(entry));
    return true;
  }

  /** Waits for in-flight writes, dead letters and ack records, then closes the files. Pending entries stay on disk. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.writer.idle();
    this.closed = true;
    await this.loading;
    await this.deadLetters.idle();
    await this.segments.close();
    await unlockOutboxDir(this.dir);
  }

  // ---- shared bookkeeping -------------------------------------------------------------------------------------

  /** `items` were fsynced into `segment`: count them, cache them while the memory budget allows. */
  private onDurable(items: readonly PendingAppend[], buffer: Buffer, segment: Segment): void {
    let offset = 0;
    for (const item of items) {
      segment.lastN = item.n;
      segment.unacked += 1;
      this.pending += 1;
      this.durableN = item.n;
      if (this.cache.lastN === item.n - 1 && this.cache.fits(item.bytes)) {
        this.cache.add({
          n: item.n,
          subject: item.record.subject,
          msgId: item.record.msgId,
          data: buffer.subarray(offset + item.prefixBytes, offset + item.bytes - 1),
          bytes: item.bytes,
          segment,
          released: false,
        });
      }
      offset += item.bytes;
    }
    this.checkUsage();
    this.emit('durable');
  }

  /** The entry has left the outbox: record its ack; give the segment's space back when it is done. */
  private settle(entry: CachedEntry): void {
    this.pending -= 1;
    this.bound.dropAck(entry.n); // recordAck counts the record as disk use from here on.
    const segment = entry.segment;
    segment.unacked -= 1;
    this.segments.recordAck(segment, entry.n);
    const idle = segment === this.segments.active && !this.writer.busy && segment.unacked === 0;
    if (idle && segment.bytes >= Math.min(65536, this.segmentBytes)) {
      // Idle and fully acknowledged: give the space back instead of waiting for the next roll-over.
      this.segments.sealActive();
    }
    if (segment.unacked === 0 && segment.sealed) this.segments.scheduleDelete(segment);
  }

  private checkUsage(): void {
    const ratio = this.bound.diskBytes() / this.maxBytes;
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

  // ---- spill and recovery -------------------------------------------------------------------------------------

  /** Reads spilled entries back until some can be handed out (or none are left), then emits `durable`. */
  private loadInBackground(): void {
    if (this.loading) return;
    const source = {
      cache: this.cache,
      durableN: () => this.durableN,
      containing: (n: number) => this.segments.containing(n),
      firstAfter: (n: number) => this.segments.firstAfter(n),
      reportCorrupt: (segment: Segment, lines: readonly CorruptLine[]) =>
        this.deadLetters.reportCorrupt(segment, lines),
    };
    this.loading = (async () => {
      let loaded: number | null = 0;
      while (loaded === 0 && !this.closed && this.cache.lastN < this.durableN)
        loaded = await loadSpilled(source);
    })()
      .catch((error: unknown) => {
        // Left spilled: the next read() tries again.
        this.log.error('outbox could not read spilled entries back', { dir: this.dir, error: String(error) });
      })
      .finally(() => {
        this.loading = undefined;
        if (!this.closed) this.emit('durable');
      });
  }

  private async recover(): Promise<void> {
    let caching = true;
    const recovered = await recoverSegments(this.dir, {
      log: this.log,
      reportCorrupt: (segment, lines) => this.deadLetters.reportCorrupt(segment, lines),
      kept: (segment, unacked) => {
        if (this.segments.list.length === 0) this.cache.lastN = segment.firstN - 1;
        this.segments.adopt(segment);
        for (const entry of unacked) this.bound.oweAck(entry.n);
        this.durableN = segment.lastN;
        // The oldest pending entries go to memory while the budget allows, so the first reads need no disk.
        if (!caching) return;
        cacheParsed(
          { cache: this.cache, durableN: () => this.durableN },
          segment,
          unacked,
          segment.firstN,
          this.cache.empty,
        );
        caching = this.cache.lastN >= segment.lastN;
      },
    });
    this.pending = recovered.pending;
    this.nextN = recovered.nextN;
    if (recovered.segments.length === 0) {
      this.durableN = this.nextN - 1;
      this.cache.lastN = this.durableN;
    }
    if (recovered.pending > 0) {
      this.log.info('outbox recovered pending events', { dir: this.dir, pending: recovered.pending });
    }
    this.checkUsage();
  }
}
