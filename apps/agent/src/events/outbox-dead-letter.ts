/**
 * The outbox's dead-letter file: where entries go that must not be published and must not be lost — a line that
 * failed its checksum (`corrupt`), an entry NATS can never carry (`too-large`), an entry JetStream refuses for
 * good (`refused`). Each is one JSON line in `dead-letter.jsonl` in the outbox directory, with the raw bytes in
 * base64, so an operator can inspect and, when it makes sense, replay it. Appended and fsynced with async file
 * handles (the event loop keeps publishing meanwhile); the outbox records the entry as gone only after the letter
 * is on disk, so a crash in between brings the entry back instead of losing it.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@rigbench/shared';
import type { CorruptLine } from './outbox-segment-format.js';

/** Why an entry went to the dead-letter file. */
export type DeadLetterReason = 'corrupt' | 'too-large' | 'refused';

/** One dead letter. */
export interface DeadLetter {
  reason: DeadLetterReason;
  /** What exactly was wrong (checksum values, the server's error, the sizes). */
  detail: string;
  /** Entry number in the outbox, when known. */
  n?: number;
  subject?: string;
  msgId?: string;
  /** The segment file and byte offset, for corrupt lines. */
  source?: string;
  /** The entry's bytes (the whole line for corrupt ones). */
  data: Uint8Array;
}

/** File name of the dead-letter file inside the outbox directory. */
export const DEAD_LETTER_FILE = 'dead-letter.jsonl';

/** Appends `letter` to the dead-letter file of `dir` and fsyncs it; resolves with the file's path. */
export async function writeDeadLetter(dir: string, letter: DeadLetter, now = new Date()): Promise<string> {
  const path = join(dir, DEAD_LETTER_FILE);
  const { data, ...rest } = letter;
  const line = `${JSON.stringify({ time: now.toISOString(), ...rest, dataBase64: Buffer.from(data).toString('base64') })}\n`;
  const file = await open(path, 'a');
  try {
    await file.write(line);
    await file.sync();
  } finally {
    await file.close();
  }
  return path;
}

/** A dead letter as reported to listeners (without its bytes). */
export type ReportedDeadLetter = Omit<DeadLetter, 'data'>;

/**
 * Writes an outbox's dead letters one after the other (so the file keeps their order) and reports each once it
 * is on disk.
 */
export class DeadLetterWriter {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    private readonly onDeadLetter: (letter: ReportedDeadLetter) => void,
  ) {}

  /**
   * Appends `letter` after those before it; once it is fsynced, runs `then` (the outbox records the entry as
   * gone) and reports it. When the write fails, neither happens: the entry stays in its segment and comes back at
   * the next start. Resolves when done either way.
   */
  write(letter: DeadLetter, then: () => void = () => undefined): Promise<void> {
    const { data: _bytes, ...reported } = letter;
    this.chain = this.chain.then(async () => {
      try {
        await writeDeadLetter(this.dir, letter);
      } catch (error) {
        this.log.error('outbox dead letter could not be written; the entry stays on disk', {
          dir: this.dir,
          error: String(error),
          ...reported,
        });
        return;
      }
      then();
      this.onDeadLetter(reported);
    });
    return this.chain;
  }

  /**
   * Moves the corrupt lines of a segment not moved before (`deadOffsets` remembers them: a segment may be read
   * again) to the dead-letter file, loudly; resolves once they are on disk.
   */
  reportCorrupt(
    segment: { readonly logPath: string; readonly deadOffsets: Set<number> },
    lines: readonly CorruptLine[],
  ): Promise<void> {
    for (const line of lines) {
      if (segment.deadOffsets.has(line.offset)) continue;
      segment.deadOffsets.add(line.offset);
      const letter = {
        reason: 'corrupt' as const,
        detail: line.reason,
        ...(line.n === undefined ? {} : { n: line.n }),
        source: `${segment.logPath}@${line.offset}`,
      };
      this.log.error('outbox entry corrupt on disk, moved to the dead-letter file, not published', letter);
      void this.write({ ...letter, data: line.line });
    }
    return this.chain;
  }

  /** Resolves once every letter asked for is written (or failed). */
  idle(): Promise<void> {
    return this.chain;
  }
}
