/**
 * What counts against the outbox's disk bound (`maxBytes`): every file it keeps in its directory, and what the
 * entries it has accepted will still add. That is the segment files and their ack logs (ack records count from the
 * moment they are queued, see `OutboxSegments.recordAck`), the `LOCK` file, the appends queued for the writer, the
 * ack record each pending entry will add once it is acknowledged, and a header for each segment the queued appends
 * may open. The dead-letter file is the operator's record and is not counted.
 *
 * Checking appends against all of it means neither acknowledgements nor segment roll-overs can take the directory
 * past the bound: the fault suite once saw 262,181 bytes under a 262,144-byte bound when only the segments were
 * counted (the 51-byte `LOCK` file was not).
 */
import { ackRecordBytes, type OutboxSegments } from './outbox-segments.js';
import { SEGMENT_HEADER } from './outbox-segment-format.js';
import type { GroupCommitWriter } from './outbox-writer.js';

const HEADER_BYTES = Buffer.byteLength(SEGMENT_HEADER);

/** The outbox's disk accounting; see the module documentation. */
export class OutboxDiskBound {
  /** Bytes of the `LOCK` file. */
  lockBytes = 0;
  /** Bytes of the ack records still to come for entries accepted and not yet acknowledged. */
  private ackBytesOwed = 0;

  constructor(
    private readonly segments: OutboxSegments,
    private readonly writer: GroupCommitWriter,
    private readonly options: {
      segmentBytes: number;
      /** False: segments are written without a header line (the pre-checksum format). */
      checksums: boolean;
    },
  ) {}

  /** Bytes of the outbox's files now: segments, ack logs (with queued records) and the lock. */
  diskBytes(): number {
    return this.segments.diskBytes + this.lockBytes;
  }

  /**
   * Bytes the directory may come to hold without another append: what is on disk, the queued appends, the ack
   * records owed, and a header for every segment the queued appends may open (the writer opens at most one per
   * batch, and every batch but the last holds `segmentBytes`).
   */
  committedBytes(): number {
    const queued = this.writer.reservedBytes;
    const headers = this.options.checksums
      ? HEADER_BYTES * (1 + Math.floor(queued / this.options.segmentBytes))
      : 0;
    return this.diskBytes() + queued + this.ackBytesOwed + headers;
  }

  /** Bytes that entry `n`, a line of `lineBytes`, will take on disk in all: its line and its ack record. */
  entryBytes(n: number, lineBytes: number): number {
    return lineBytes + ackRecordBytes(n);
  }

  /** Entry `n` was accepted (or recovered pending): its ack record is owed. */
  oweAck(n: number): void {
    this.ackBytesOwed += ackRecordBytes(n);
  }

  /**
   * Entry `n` owes its ack record no longer: the record was queued (it counts as disk use from now), or the entry's
   * write failed and it will never be acknowledged.
   */
  dropAck(n: number): void {
    this.ackBytesOwed -= ackRecordBytes(n);
  }
}
