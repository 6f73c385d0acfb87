import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes of the files directly in `dir` (an outbox directory: its segments, ack logs, LOCK and any dead letters). */
export function directoryBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) total += statSync(join(dir, name)).size;
  return total;
}
