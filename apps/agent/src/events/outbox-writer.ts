/**
 * The outbox's group-commit writer: appends that arrive while a write is in flight share the next `write` +
 * `fdatasync`, done with async file handles, so the event loop keeps publishing while the disk syncs. A batch
 * stops at a segment's worth of bytes; the active segment rolls over once it reaches `segmentBytes`.
 */
import { OutboxWriteError } from './event-errors.js';
import type { Logger } from '@rigbench/shared';
import type { OutboxSegments, Segment } from './outbox-segments.js';
import { CRC_FIELD_BYTES, SEGMENT_HEADER, writeChecksumField } from './outbox-segment-format.js';

/** What the caller hands to the outbox's `append`. */
export interface OutboxRecord {
  /** NATS subject, no whitespace. */
  subject: string;
  /** JetStream message id (`Nats-Msg-Id`), no whitespace. */
  msgId: string;
  /** The message body, a single line (JSON from `JSON.stringify` qualifies). */
  payload: string;
}

/** An append waiting for its write. */
export interface PendingAppend {
  readonly n: number;
  readonly record: OutboxRecord;
  /** `n \t subject \t msgId \t`; the checksum field (when written), payload and newline follow. */
  readonly head: string;
  /** Bytes of the whole line. */
  readonly bytes: number;
  /** Bytes of the line before the payload. */
  readonly prefixBytes: number;
  readonly resolve: (n: number) => void;
  readonly reject: (error: Error) => void;
}

/** What the writer tells the outbox. */
export interface WriterHost {
  /** `items` are on disk in `buffer` (in order, each `bytes` long) in `segment`; called before they resolve. */
  durable(items: readonly PendingAppend[], buffer: Buffer, segment: Segment): void;
}

const NEWLINE = 0x0a;
const HEADER = Buffer.from(SEGMENT_HEADER);

/** Group commit onto the outbox's segments; see the module documentation. */
export class GroupCommitWriter {
  private batch: PendingAppend[] = [];
  private writing: Promise<void> | undefined;
  /** Bytes of appends queued or being written (not yet counted as disk use). */
  reservedBytes = 0;

  constructor(
    private readonly segments: OutboxSegments,
    private readonly host: WriterHost,
    private readonly options: {
      dir: string;
      segmentBytes: number;
      /** False writes the pre-checksum format (no header); only for measuring what checksums cost. */
      checksums: boolean;
      log: Logger;
    },
  ) {}

  /** True while a write is queued or in flight. */
  get busy(): boolean {
    return this.writing !== undefined;
  }

  /** Queues `item`; it resolves once fsynced. */
  enqueue(item: PendingAppend): void {
    this.reservedBytes += item.bytes;
    this.batch.push(item);
    // Started after the current synchronous burst, so a loop of appends becomes one write and one fsync.
    this.writing ??= Promise.resolve().then(() => this.writeLoop());
  }

  /** Resolves once nothing is queued or in flight. */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.batch.length > 0) {
        let size = 0;
        let count = 0;
        while (count < this.batch.length && (count === 0 || size < this.options.segmentBytes)) {
          size += this.batch[count]!.bytes;
          count += 1;
        }
        const items = this.batch.splice(0, count);
        try {
          await this.writeBatch(items, size);
        } catch (error) {
          this.reservedBytes -= size;
          // The file may hold part of the batch; continue in a fresh segment, recovery skips broken lines.
          if (this.segments.active) this.segments.sealActive();
          const failure = new OutboxWriteError(
            `outbox ${this.options.dir}: writing events failed: ${String(error)}`,
            { cause: error },
          );
          this.options.log.error('outbox write failed', { dir: this.options.dir, error: String(error) });
          for (const item of items) item.reject(failure);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async writeBatch(items: PendingAppend[], size: number): Promise<void> {
    let segment = this.segments.active;
    if (!segment || segment.bytes >= this.options.segmentBytes) {
      if (segment) this.segments.sealActive();
      segment = await this.segments.create(items[0]!.n, this.options.checksums ? HEADER : undefined);
    }
    const file = segment.logFile!;
    const buffer = Buffer.allocUnsafe(size);
    let offset = 0;
    const checksums = this.options.checksums;
    for (const item of items) {
      // Written piecewise: concatenating the fields and the payload would copy every payload once more.
      const lineStart = offset;
      offset += buffer.write(item.head, offset, 'utf8');
      const fieldAt = offset;
      if (checksums) offset += CRC_FIELD_BYTES;
      offset += buffer.write(item.record.payload, offset, 'utf8');
      if (checksums) writeChecksumField(buffer, lineStart, fieldAt, offset);
      buffer[offset++] = NEWLINE;
    }
    await file.write(buffer, 0, buffer.length);
    await file.datasync();
    this.reservedBytes -= size;
    this.segments.diskBytes += buffer.length;
    segment.bytes += buffer.length;
    this.host.durable(items, buffer, segment);
    for (const item of items) item.resolve(item.n);
  }
}
