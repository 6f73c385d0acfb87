/**
 * The outbox's segment file format: one entry per line, each with a CRC-32 of its content.
 *
 * A segment starts with the header line `rigbench-outbox 2`; each entry is
 * `n \t subject \t msgId \t crc \t payload \n`, where `crc` is 8 lowercase hex digits of the CRC-32 (zlib's) of
 * `n \t subject \t msgId \t` followed by the payload bytes. A flipped bit anywhere in the line, a line merged with
 * the next by a damaged newline, or a line cut short inside the file fails the check: it is reported as corrupt,
 * never published and never skipped silently. A torn tail (bytes after the last newline) belongs to an append
 * that never resolved and is dropped. Segments without the header were written by rigbench before checksums
 * (`n \t subject \t msgId \t payload`); they are still read, without a check.
 */
import { crc32 } from 'node:zlib';

/** First line of every segment written with checksums. */
export const SEGMENT_HEADER = 'rigbench-outbox 2\n';
const HEADER_BYTES = Buffer.from(SEGMENT_HEADER);
const NEWLINE = 0x0a;
const TAB = 0x09;
/** Bytes of the checksum field with its tab. */
export const CRC_FIELD_BYTES = 9;

/** Segment log files are named `seg-<first entry number, 16 digits>.log`. */
export const SEGMENT_LOG_PATTERN = /^seg-(\d{16})\.log$/;

/** The file name of a segment without its extension (`.log` for entries, `.ack` for acknowledged numbers). */
export function segmentBaseName(firstN: number): string {
  return `seg-${String(firstN).padStart(16, '0')}`;
}

/** An entry read back from a segment file. */
export interface ParsedEntry {
  readonly n: number;
  readonly subject: string;
  readonly msgId: string;
  /** The payload bytes (a view into the file buffer). */
  readonly data: Uint8Array;
  /** Size of the line on disk, in bytes. */
  readonly bytes: number;
}

/** A line that failed its check. */
export interface CorruptLine {
  /** Byte offset of the line in the segment file. */
  readonly offset: number;
  /** The line as found, newline excluded. */
  readonly line: Buffer;
  /** What is wrong with it. */
  readonly reason: string;
  /** The entry number, when the line's first field still reads as one. */
  readonly n: number | undefined;
}

/** What {@link parseSegment} found. */
export interface ParsedSegment {
  entries: ParsedEntry[];
  corrupt: CorruptLine[];
  /** Bytes up to the last complete line; what follows is a torn tail. */
  validLength: number;
  /** True for a segment written before checksums (no header line). */
  legacy: boolean;
}

/**
 * Fills in the checksum field of a line being written into `buffer`: the line starts at `lineStart`, its 9-byte
 * checksum field (left free) at `fieldAt`, and its payload ends at `payloadEnd`. Computed over the bytes already
 * in the buffer, so the payload is encoded once, not once more for the checksum.
 */
export function writeChecksumField(
  buffer: Buffer,
  lineStart: number,
  fieldAt: number,
  payloadEnd: number,
): void {
  const crc = crc32(
    buffer.subarray(fieldAt + CRC_FIELD_BYTES, payloadEnd),
    crc32(buffer.subarray(lineStart, fieldAt)),
  );
  buffer.write((crc >>> 0).toString(16).padStart(8, '0'), fieldAt, 'latin1');
  buffer[fieldAt + CRC_FIELD_BYTES - 1] = TAB;
}

/** Parses a whole segment file. */
export function parseSegment(buffer: Buffer): ParsedSegment {
  // Old segments start with an entry number; a damaged header must not make a new one read as old (its
  // checksum fields would then be published as part of the payload).
  const first = buffer[0];
  const legacy = first !== undefined && first >= 0x31 && first <= 0x39;
  const entries: ParsedEntry[] = [];
  const corrupt: CorruptLine[] = [];
  let start = 0;
  if (!legacy && buffer.length > 0) {
    const headerEnd = buffer.indexOf(NEWLINE);
    // A header cut short by a crash: the first append never resolved, nothing else is in the file.
    if (headerEnd < 0) return { entries, corrupt, validLength: 0, legacy };
    if (!buffer.subarray(0, headerEnd + 1).equals(HEADER_BYTES)) {
      corrupt.push({
        offset: 0,
        line: Buffer.from(buffer.subarray(0, headerEnd)),
        reason: 'segment header damaged',
        n: undefined,
      });
    }
    start = headerEnd + 1;
  }
  for (;;) {
    const end = buffer.indexOf(NEWLINE, start);
    if (end < 0) break;
    const lineStart = start;
    start = end + 1;
    const fail = (reason: string, n?: number): void => {
      corrupt.push({ offset: lineStart, line: Buffer.from(buffer.subarray(lineStart, end)), reason, n });
    };
    const t1 = buffer.indexOf(TAB, lineStart);
    const t2 = t1 < 0 || t1 > end ? -1 : buffer.indexOf(TAB, t1 + 1);
    const t3 = t2 < 0 || t2 > end ? -1 : buffer.indexOf(TAB, t2 + 1);
    const nText = t1 > lineStart && t1 < end ? buffer.toString('latin1', lineStart, t1) : '';
    const n = /^[1-9]\d{0,15}$/.test(nText) ? Number(nText) : undefined;
    if (t3 < 0 || t3 > end || n === undefined) {
      fail('not an entry line (fields missing or entry number unreadable)', n);
      continue;
    }
    let payloadStart = t3 + 1;
    if (!legacy) {
      const t4 = t3 + CRC_FIELD_BYTES;
      if (t4 > end || buffer[t4] !== TAB) {
        fail('checksum field missing', n);
        continue;
      }
      const stored = buffer.toString('latin1', t3 + 1, t4);
      const actual = (crc32(buffer.subarray(t4 + 1, end), crc32(buffer.subarray(lineStart, t3 + 1))) >>> 0)
        .toString(16)
        .padStart(8, '0');
      if (stored !== actual) {
        fail(`checksum mismatch (stored ${stored}, computed ${actual})`, n);
        continue;
      }
      payloadStart = t4 + 1;
    }
    entries.push({
      n,
      subject: buffer.toString('utf8', t1 + 1, t2),
      msgId: buffer.toString('utf8', t2 + 1, t3),
      data: buffer.subarray(payloadStart, end),
      bytes: end + 1 - lineStart,
    });
  }
  return { entries, corrupt, validLength: start, legacy };
}
