/**
 * The outbox's dead-letter file: where entries go that must not be published and must not be lost — a line that
 * failed its checksum (`corrupt`), an entry NATS can never carry (`too-large`), an entry JetStream refuses for
 * good (`refused`). Each is one JSON line in `dead-letter.jsonl` in the outbox directory, with the raw bytes in
 * base64, so an operator can inspect and, when it makes sense, replay it. Written synchronously and fsynced: it
 * happens rarely, and a dead letter must be on disk before the entry it holds is dropped from the outbox.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

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

/** Appends `letter` to the dead-letter file of `dir`; returns the file's path. */
export function writeDeadLetter(dir: string, letter: DeadLetter, now = new Date()): string {
  const path = join(dir, DEAD_LETTER_FILE);
  const { data, ...rest } = letter;
  const line = `${JSON.stringify({ time: now.toISOString(), ...rest, dataBase64: Buffer.from(data).toString('base64') })}\n`;
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, line);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return path;
}
