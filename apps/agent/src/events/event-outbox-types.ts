/** The options, usage and events of the durable outbox (`event-outbox.ts`). */
import type { Logger } from '@rigbench/shared';
import type { OutboxFullError } from './event-errors.js';
import type { ReportedDeadLetter } from './outbox-dead-letter.js';

/** Options for `EventOutbox.open`. */
export interface EventOutboxOptions {
  /** Directory of the outbox; created when missing. One process at a time. */
  dir: string;
  /**
   * Upper bound of the outbox on disk, in bytes: its segment files, ack logs and `LOCK` file together, including
   * the ack records and segment headers still to come for what was accepted. Appends beyond it fail with
   * {@link OutboxFullError}. The dead-letter file is the operator's record and is not counted.
   */
  maxBytes: number;
  /** Fraction of `maxBytes` at which a warning is logged and emitted (default 0.8). */
  warnRatio?: number;
  /** Segment files roll over at this size, in bytes (default: 8 MiB, at most `maxBytes / 8`). */
  segmentBytes?: number;
  /** Unacknowledged entries kept in memory, in bytes (default 32 MiB); the rest is read back from disk. */
  maxMemoryBytes?: number;
  /**
   * Per-entry CRC-32 (default true). False writes new segments in the pre-checksum format: only for
   * `npm run bench:events -- --crc-compare`, which measures what the checksum costs; never in an agent.
   */
  checksums?: boolean;
  logger?: Logger;
  /**
   * Called for every entry moved to the dead-letter file (corrupt on disk, or given up by the caller), once the
   * letter is on disk and the entry no longer counts as pending.
   */
  onDeadLetter?: (letter: ReportedDeadLetter) => void;
}

/** Disk use of the outbox. */
export interface OutboxUsage {
  /** Entries on disk not yet acknowledged. */
  pending: number;
  /** Bytes of the segment, ack and lock files. */
  bytes: number;
  /** `bytes / maxBytes`, 0–1. */
  ratio: number;
  maxBytes: number;
}

/** Events of `EventOutbox`. */
export interface EventOutboxEvents {
  /** New entries can be read: they became durable, or were read back from disk. */
  durable: [];
  /** Disk use crossed `warnRatio` upwards. */
  warning: [OutboxUsage];
  /** An append was refused because the outbox is full. */
  rejected: [OutboxFullError];
  /** Acknowledged segments were deleted; disk use went down. */
  compacted: [OutboxUsage];
}
