/**
 * The outbox directory's lock: one process at a time writes an outbox.
 *
 * The `LOCK` file names its holder as `pid startTicks bootId` (`/proc/<pid>/stat` field 22 and
 * `/proc/sys/kernel/random/boot_id`). A lock is live only while a process with that pid exists *and* started at
 * that moment of that boot, so a stale lock whose pid was reused by another process (the usual case after a
 * reboot: the agent comes back with a low pid, some other service got the old one) is taken over instead of
 * stopping the agent in a restart loop. Where `/proc` is missing (macOS), the lock falls back to the pid alone.
 * A legacy `LOCK` with only a pid is stale when that pid's process started after the file was written.
 */
import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
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
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may itself hold spaces or ')': count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
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
function processStartEpochSeconds(pid: number): number | null {
  const ticks = processStartTicks(pid);
  if (ticks === null) return null;
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
    return btime === undefined ? null : Number(btime) + Number(ticks) / 100;
  } catch {
    return null;
  }
}

/** True when the process `holder` names is still the one that wrote the lock. */
export function holderAlive(holder: LockHolder, lockWrittenMs: number): boolean {
  if (!processExists(holder.pid)) return false;
  if (holder.startTicks !== null) {
    const currentBoot = bootId();
    if (holder.bootId !== null && currentBoot !== null && holder.bootId !== currentBoot) return false;
    const ticks = processStartTicks(holder.pid);
    return ticks === null || ticks === holder.startTicks;
  }
  // Legacy lock (pid only): a process that started after the lock was written cannot have written it.
  const started = processStartEpochSeconds(holder.pid);
  return started === null || started * 1000 <= lockWrittenMs + 1000;
}

/**
 * Takes the lock of `dir`; throws {@link OutboxLockedError} while another live process (or another open outbox in
 * this process) holds it. A stale lock is taken over.
 */
export function lockOutboxDir(dir: string): void {
  const path = join(dir, 'LOCK');
  if (lockedHere.has(path)) throw new OutboxLockedError(dir, process.pid);
  let holder: LockHolder | null = null;
  let writtenMs = 0;
  try {
    holder = parseLockHolder(readFileSync(path, 'utf8'));
    writtenMs = statSync(path).mtimeMs;
  } catch {
    // No lock file: free.
  }
  if (holder !== null && holder.pid !== process.pid && holderAlive(holder, writtenMs)) {
    throw new OutboxLockedError(dir, holder.pid);
  }
  const me = [process.pid, processStartTicks(process.pid), bootId()].filter((part) => part !== null);
  writeFileSync(path, `${me.join(' ')}\n`);
  lockedHere.add(path);
}

/** Gives the lock of `dir` back. */
export function unlockOutboxDir(dir: string): void {
  const path = join(dir, 'LOCK');
  lockedHere.delete(path);
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
