/**
 * The outbox directory's lock: one process at a time writes an outbox.
 *
 * The `LOCK` file names its holder as `pid startTicks bootId` (`/proc/<pid>/stat` field 22 and
 * `/proc/sys/kernel/random/boot_id`). A lock is live only while a process with that pid exists *and* started at
 * that moment of that boot, so a stale lock whose pid was reused by another process (the usual case after a
 * reboot: the agent comes back with a low pid, some other service got the old one) is taken over instead of
 * stopping the agent in a restart loop. Where `/proc` is missing (macOS), the lock falls back to the pid alone.
 * A legacy `LOCK` with only a pid is stale when that pid's process started after the file was written.
 *
 * All file access is asynchronous (`node:fs/promises`): an outbox may be opened while the agent already serves.
 */
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OutboxLockedError } from './event-errors.js';

/** Who holds a lock, as written in the `LOCK` file. */
export interface LockHolder {
  pid: number;
  /** Start time of the process in clock ticks since boot; null where /proc is missing. */
  startTicks: string | null;
  bootId: string | null;
}

/** Outbox directories locked by this process (a second open would interleave two writers). */
const lockedHere = new Set<string>();

/** Start time of `pid` in clock ticks since boot (`/proc/<pid>/stat` field 22), or null. */
export async function processStartTicks(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may itself hold spaces or ')': count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

async function bootId(): Promise<string | null> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  } catch {
    return null;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Parses a `LOCK` file's text; null when it names no process. */
export function parseLockHolder(text: string): LockHolder | null {
  const [pidText, startTicks, boot] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  return { pid, startTicks: startTicks ?? null, bootId: boot ?? null };
}

/** Seconds since the epoch at which `pid` started, from /proc (assumes the usual USER_HZ of 100). */
async function processStartEpochSeconds(pid: number): Promise<number | null> {
  const ticks = await processStartTicks(pid);
  if (ticks === null) return null;
  try {
    const btime = /^btime (\d+)$/m.exec(await readFile('/proc/stat', 'utf8'))?.[1];
    return btime === undefined ? null : Number(btime) + Number(ticks) / 100;
  } catch {
    return null;
  }
}

/** True when the process `holder` names is still the one that wrote the lock. */
export async function holderAlive(holder: LockHolder, lockWrittenMs: number): Promise<boolean> {
  if (!processExists(holder.pid)) return false;
  if (holder.startTicks !== null) {
    const currentBoot = await bootId();
    if (holder.bootId !== null && currentBoot !== null && holder.bootId !== currentBoot) return false;
    const ticks = await processStartTicks(holder.pid);
    return ticks === null || ticks === holder.startTicks;
  }
  // Legacy lock (pid only): a process that started after the lock was written cannot have written it.
  const started = await processStartEpochSeconds(holder.pid);
  return started === null || started * 1000 <= lockWrittenMs + 1000;
}

/**
 * Takes the lock of `dir`; throws {@link OutboxLockedError} while another live process (or another open outbox in
 * this process) holds it. A stale lock is taken over. Resolves with the bytes of the `LOCK` file written, which
 * count against the outbox's disk bound.
 */
export async function lockOutboxDir(dir: string): Promise<number> {
  const path = join(dir, 'LOCK');
  if (lockedHere.has(path)) throw new OutboxLockedError(dir, process.pid);
  // Claimed before the first await, so a second open in this process cannot slip in while this one reads.
  lockedHere.add(path);
  try {
    let holder: LockHolder | null = null;
    let writtenMs = 0;
    try {
      holder = parseLockHolder(await readFile(path, 'utf8'));
      writtenMs = (await stat(path)).mtimeMs;
    } catch {
      // No lock file: free.
    }
    if (holder !== null && holder.pid !== process.pid && (await holderAlive(holder, writtenMs))) {
      throw new OutboxLockedError(dir, holder.pid);
    }
    const me = [process.pid, await processStartTicks(process.pid), await bootId()].filter(
      (part) => part !== null,
    );
    const text = `${me.join(' ')}\n`;
    await writeFile(path, text);
    return Buffer.byteLength(text);
  } catch (error) {
    lockedHere.delete(path);
    throw error;
  }
}

/** Gives the lock of `dir` back. */
export async function unlockOutboxDir(dir: string): Promise<void> {
  const path = join(dir, 'LOCK');
  try {
    await unlink(path);
  } catch {
    // Already gone.
  } finally {
    lockedHere.delete(path);
  }
}
