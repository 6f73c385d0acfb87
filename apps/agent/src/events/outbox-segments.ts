/**
 * The outbox's segment files on disk: the list of live segments, the one being appended to, their ack logs and
 * their deletion (compaction). A segment is deleted as a whole once it is sealed and every entry in it is
 * acknowledged, so compaction is an `unlink`, never a rewrite. Ack records are appended promptly but not fsynced
 * per ack (a lost ack record only means a resend that JetStream de-duplicates). All file work is asynchronous and
 * runs in one chain, so acks, closes and deletes of a segment happen in the order they were asked for.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@rigbench/shared';
import { segmentBaseName } from './outbox-segment-format.js';

/** Bytes of the ack record of entry `n` (its number and a newline). */
export function ackRecordBytes(n: number): number {
  return String(n).length + 1;
}

/** One segment: a log file of entries and an ack file of acknowledged entry numbers. */
export interface Segment {
  readonly firstN: number;
  readonly logPath: string;
  readonly ackPath: string;
  lastN: number;
  /** Bytes of the log file plus the ack file. */
  bytes: number;
  /** Entries of this segment whose acknowledgement is not yet recorded. */
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

/** A segment record for `seg-<firstN>` in `dir`, with no entries counted and no file opened. */
export function segmentRecord(dir: string, firstN: number, sealed: boolean): Segment {
  const base = segmentBaseName(firstN);
  return {
    firstN,
    logPath: join(dir, `${base}.log`),
    ackPath: join(dir, `${base}.ack`),
    lastN: firstN - 1,
    bytes: 0,
    unacked: 0,
    sealed,
    deleting: false,
    logFile: undefined,
    ackFile: undefined,
    ackBuffer: [],
    recoveredAcks: undefined,
    deadOffsets: new Set(),
  };
}

/** The live segments of one outbox directory; see the module documentation. */
export class OutboxSegments {
  /** Live segments in entry order (deleted ones leave the list once their files are gone). */
  readonly list: Segment[] = [];
  /** The segment appends go to, until it is sealed. */
  active: Segment | undefined;
  /** Bytes of all segment and ack files, including ack records queued but not yet written. */
  diskBytes = 0;
  private chain: Promise<void> = Promise.resolve();
  private ackFlushScheduled = false;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    /** Called after a segment's files were deleted. */
    private readonly onCompacted: () => void,
  ) {}

  /** Adds a recovered (sealed) segment. */
  adopt(segment: Segment): void {
    this.list.push(segment);
    this.diskBytes += segment.bytes;
  }

  /**
   * Creates `seg-<firstN>.log`, writes `header` (nothing for the pre-checksum format) and makes the file's
   * directory entry durable; the new segment becomes the active one.
   */
  async create(firstN: number, header: Buffer | undefined): Promise<Segment> {
    const segment = segmentRecord(this.dir, firstN, false);
    segment.logFile = await open(segment.logPath, 'a');
    if (header) {
      // Synced with the first batch's fdatasync; a header cut short reads as an empty segment.
      await segment.logFile.write(header, 0, header.length);
      segment.bytes += header.length;
      this.diskBytes += header.length;
    }
    // The new directory entry must survive a crash too, or the fsynced data in it would be unreachable.
    const dirHandle = await open(this.dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    this.list.push(segment);
    this.active = segment;
    return segment;
  }

  /** Live segment holding entry `n`, or undefined. */
  containing(n: number): Segment | undefined {
    return this.list.find((s) => !s.deleting && s.firstN <= n && s.lastN >= n);
  }

  /** First live segment starting after entry `n`, or undefined. */
  firstAfter(n: number): Segment | undefined {
    return this.list.find((s) => !s.deleting && s.firstN > n);
  }

  /** Stops appending to the active segment; it is deleted once fully acknowledged. */
  sealActive(): void {
    const segment = this.active;
    if (!segment) return;
    segment.sealed = true;
    this.active = undefined;
    const file = segment.logFile;
    segment.logFile = undefined;
    this.chain = this.chain.then(() => file?.close()).catch(() => undefined);
    if (segment.unacked === 0) this.scheduleDelete(segment);
  }

  /**
   * Queues the ack record of entry `n` of `segment` (written on the next turn of the event loop). Its bytes count
   * as disk use from now on, so the outbox's bound holds while the record is on its way to the file.
   */
  recordAck(segment: Segment, n: number): void {
    segment.ackBuffer.push(n);
    const bytes = ackRecordBytes(n);
    segment.bytes += bytes;
    this.diskBytes += bytes;
    if (this.ackFlushScheduled) return;
    this.ackFlushScheduled = true;
    setImmediate(() => {
      this.ackFlushScheduled = false;
      this.flushAcks();
    });
  }

  /** Appends the queued ack records of every segment. */
  flushAcks(): void {
    for (const segment of this.list) {
      if (segment.ackBuffer.length === 0 || segment.deleting) {
        segment.ackBuffer = [];
        continue;
      }
      const text = `${segment.ackBuffer.join('\n')}\n`;
      segment.ackBuffer = [];
      this.chain = this.chain
        .then(async () => {
          if (segment.deleting) return;
          segment.ackFile ??= await open(segment.ackPath, 'a');
          const buffer = Buffer.from(text);
          await segment.ackFile.write(buffer, 0, buffer.length);
        })
        .catch((error: unknown) => {
          // Losing an ack record only means a duplicate resend later, which JetStream de-duplicates.
          this.log.warn('outbox ack record failed', { dir: this.dir, error: String(error) });
        });
    }
  }

  /** Deletes a sealed, fully acknowledged segment's files. */
  scheduleDelete(segment: Segment): void {
    if (segment.deleting) return;
    segment.deleting = true;
    segment.ackBuffer = [];
    this.chain = this.chain
      .then(async () => {
        await segment.ackFile?.close();
        segment.ackFile = undefined;
        await unlink(segment.logPath).catch(() => undefined);
        await unlink(segment.ackPath).catch(() => undefined);
        this.diskBytes -= segment.bytes;
        segment.bytes = 0;
        const index = this.list.indexOf(segment);
        if (index >= 0) this.list.splice(index, 1);
        this.onCompacted();
      })
      .catch((error: unknown) => {
        this.log.warn('outbox segment delete failed', { path: segment.logPath, error: String(error) });
      });
  }

  /** Writes the queued ack records, waits for all file work, fsyncs the ack files and closes every file. */
  async close(): Promise<void> {
    this.flushAcks();
    await this.chain;
    for (const segment of this.list) {
      await segment.logFile?.close();
      if (segment.ackFile) {
        await segment.ackFile.sync();
        await segment.ackFile.close();
      }
      segment.logFile = undefined;
      segment.ackFile = undefined;
    }
  }
}
