/**
 * Recovery of an outbox directory at open: reads every segment and its ack log (asynchronously), drops torn
 * tails, moves corrupt lines to the dead-letter file, deletes fully acknowledged segments and keeps the rest,
 * sealed, for resending. Entry numbers already used (including those of corrupt lines) are never reused.
 *
 * A torn tail (bytes after the last newline) belonged to an append that never resolved, so truncating it loses
 * nothing anyone was promised. Segments in the pre-checksum format are read without a check.
 */
import { readdir, readFile, stat, truncate, unlink } from 'node:fs/promises';
import type { Logger } from '@rigbench/shared';
import { segmentRecord, type Segment } from './outbox-segments.js';
import {
  parseSegment,
  SEGMENT_LOG_PATTERN,
  type CorruptLine,
  type ParsedEntry,
} from './outbox-segment-format.js';

/** What recovery hands back. */
export interface RecoveredOutbox {
  /** Segments with unacknowledged entries, oldest first, sealed. */
  segments: Segment[];
  /** Unacknowledged entries over all segments. */
  pending: number;
  /** The next entry number to use. */
  nextN: number;
}

/** Hooks recovery calls per segment. */
export interface RecoveryHooks {
  log: Logger;
  /** Moves corrupt, unacknowledged lines of `segment` to the dead-letter file; awaited before anything is deleted. */
  reportCorrupt(segment: Segment, lines: readonly CorruptLine[]): Promise<void>;
  /**
   * A kept segment and its unacknowledged entries, in order: the outbox caches them while its memory budget
   * allows, so the first reads need no disk. The entries are views into the file's buffer.
   */
  kept(segment: Segment, unacked: readonly ParsedEntry[]): void;
}

async function readAcks(path: string): Promise<Set<number>> {
  const acks = new Set<number>();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return acks; // No ack file: nothing in this segment was acknowledged yet.
  }
  for (const line of text.split('\n')) {
    const n = Number(line);
    if (line !== '' && Number.isSafeInteger(n)) acks.add(n);
  }
  return acks;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Recovers the segments of `dir`; see the module documentation. */
export async function recoverSegments(dir: string, hooks: RecoveryHooks): Promise<RecoveredOutbox> {
  const names = (await readdir(dir)).filter((name) => SEGMENT_LOG_PATTERN.test(name)).sort();
  const segments: Segment[] = [];
  let nextN = 1;
  let pending = 0;
  for (const name of names) {
    const segment = segmentRecord(dir, Number(SEGMENT_LOG_PATTERN.exec(name)![1]), true);
    const acks = await readAcks(segment.ackPath);
    const content = await readFile(segment.logPath);
    const { entries, validLength, corrupt, legacy } = parseSegment(content);
    if (validLength < content.length) await truncate(segment.logPath, validLength);
    if (legacy)
      hooks.log.info('outbox segment without checksums (older rigbench)', { path: segment.logPath });
    await hooks.reportCorrupt(
      segment,
      corrupt.filter((line) => line.n === undefined || !acks.has(line.n)),
    );
    // Numbers of corrupt lines are burnt too: a new entry must never reuse one.
    for (const line of corrupt) if (line.n !== undefined) nextN = Math.max(nextN, line.n + 1);
    const unacked = entries.filter((entry) => !acks.has(entry.n));
    const last = entries[entries.length - 1];
    if (last) nextN = Math.max(nextN, last.n + 1);
    if (unacked.length === 0) {
      await unlink(segment.logPath);
      await unlink(segment.ackPath).catch(() => undefined);
      continue;
    }
    segment.lastN = last!.n;
    segment.unacked = unacked.length;
    segment.recoveredAcks = acks;
    segment.bytes = validLength + (await fileSize(segment.ackPath));
    segments.push(segment);
    pending += unacked.length;
    hooks.kept(segment, unacked);
  }
  return { segments, pending, nextN };
}
