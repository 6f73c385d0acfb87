/**
 * The outbox's memory cache of unacknowledged entries, and the spill path behind it.
 *
 * Entries are cached in entry order up to a byte budget; `lastN` is the highest entry number the cache covers.
 * Entries after `lastN` (up to the last durable one) are on disk only: {@link loadSpilled} reads them back from
 * their segment, asynchronously, when the cache runs dry. So a large outbox on disk does not cost RAM, and
 * reading a spilled segment never blocks the event loop.
 */
import { readFile } from 'node:fs/promises';
import type { Segment } from './outbox-segments.js';
import { parseSegment, type CorruptLine, type ParsedEntry } from './outbox-segment-format.js';

/** A durable, not yet acknowledged entry as the outbox hands it out. */
export interface OutboxEntry {
  /** Entry number, increasing in append order. */
  readonly n: number;
  readonly subject: string;
  readonly msgId: string;
  /** The payload as UTF-8 bytes, ready to publish (a view into the written batch or read file, not a copy). */
  readonly data: Uint8Array;
  /** Size of the entry on disk, in bytes. */
  readonly bytes: number;
}

/** A cached entry with its segment; `released` once acknowledged or handed to the dead-letter file. */
export interface CachedEntry extends OutboxEntry {
  readonly segment: Segment;
  released: boolean;
}

/** Unacknowledged entries in memory, in entry order; see the module documentation. */
export class OutboxMemoryCache {
  /** Cached entries in `n` order; released ones are dropped from the front lazily. */
  private queue: CachedEntry[] = [];
  private head = 0;
  private readonly byN = new Map<number, CachedEntry>();
  /** Bytes of the cached, unreleased entries. */
  bytes = 0;
  /** Highest entry number the cache covers; entries above it (up to the last durable one) are on disk only. */
  lastN = 0;

  constructor(readonly maxBytes: number) {}

  /** Whether an entry of `bytes` fits the budget now. */
  fits(bytes: number): boolean {
    return this.bytes + bytes <= this.maxBytes;
  }

  /** Whether no unreleased entry is cached. */
  get empty(): boolean {
    return this.byN.size === 0;
  }

  /** Caches `entry`, which must follow every cached one. */
  add(entry: CachedEntry): void {
    this.queue.push(entry);
    this.byN.set(entry.n, entry);
    this.bytes += entry.bytes;
    this.lastN = entry.n;
  }

  /** The cached, unreleased entry `n`. */
  get(n: number): CachedEntry | undefined {
    return this.byN.get(n);
  }

  /** Takes `entry` out: it is no longer handed out and no longer counts against the budget. */
  release(entry: CachedEntry): void {
    entry.released = true;
    this.byN.delete(entry.n);
    this.bytes -= entry.bytes;
    if (entry.n === this.queue[this.head]?.n) this.dropReleasedHead();
  }

  /** Appends to `out` up to `max` unreleased cached entries with `n >= fromN`, in order. */
  collect(fromN: number, max: number, out: OutboxEntry[]): void {
    for (let i = this.lowerBound(fromN); i < this.queue.length && out.length < max; i += 1) {
      const entry = this.queue[i]!;
      if (!entry.released) out.push(entry);
    }
  }

  /** Number of the oldest unreleased cached entry. */
  firstN(): number | undefined {
    this.dropReleasedHead();
    return this.queue[this.head]?.n;
  }

  private dropReleasedHead(): void {
    while (this.head < this.queue.length && this.queue[this.head]!.released) this.head += 1;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Index of the first cached entry with `n >= fromN`. */
  private lowerBound(fromN: number): number {
    let lo = this.head;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.queue[mid]!.n < fromN) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** What {@link loadSpilled} needs from the outbox. */
export interface SpillSource {
  readonly cache: OutboxMemoryCache;
  /** Highest durable entry number now. */
  durableN(): number;
  /** Live segment holding entry `n`. */
  containing(n: number): Segment | undefined;
  /** First live segment starting after entry `n`. */
  firstAfter(n: number): Segment | undefined;
  /** Moves corrupt lines of `segment` to the dead-letter file (those not moved before). */
  reportCorrupt(segment: Segment, lines: readonly CorruptLine[]): Promise<void>;
}

/**
 * Reads entries after `cache.lastN` back from their segment into the cache, as far as the budget allows (at
 * least one, so a reader waiting behind a full cache still moves on). Resolves with the number of entries cached
 * (0 when it only skipped a gap or acknowledged entries), or null when nothing more is on disk.
 */
export async function loadSpilled(source: SpillSource): Promise<number | null> {
  const { cache } = source;
  const wanted = cache.lastN + 1;
  const segment = source.containing(wanted);
  if (!segment) {
    // Entries in a gap (burnt numbers of failed writes) do not exist; skip past them.
    const next = source.firstAfter(wanted);
    if (!next) {
      cache.lastN = source.durableN();
      return null;
    }
    cache.lastN = next.firstN - 1;
    return 0;
  }
  const { entries, corrupt } = parseSegment(await readFile(segment.logPath));
  await source.reportCorrupt(segment, corrupt);
  // The cache may have moved on while the file was read (only this function advances a spilled cache).
  if (cache.lastN + 1 !== wanted) return 0;
  return cacheParsed(source, segment, entries, wanted, true);
}

/**
 * Caches the unacknowledged `entries` of `segment` from entry `fromN` on, within the budget (the first one
 * regardless when `atLeastOne`); returns how many were cached. `cache.lastN` reaches `segment.lastN` only when
 * every entry was taken.
 */
export function cacheParsed(
  source: Pick<SpillSource, 'cache' | 'durableN'>,
  segment: Segment,
  entries: readonly ParsedEntry[],
  fromN: number,
  atLeastOne: boolean,
): number {
  const { cache } = source;
  const durableN = source.durableN();
  let loaded = 0;
  for (const parsed of entries) {
    if (parsed.n < fromN || parsed.n > durableN) continue;
    if (segment.recoveredAcks?.has(parsed.n)) {
      cache.lastN = parsed.n;
      continue;
    }
    if ((loaded > 0 || !atLeastOne) && !cache.fits(parsed.bytes)) return loaded;
    cache.add({ ...parsed, segment, released: false });
    loaded += 1;
  }
  cache.lastN = Math.max(cache.lastN, Math.min(segment.lastN, durableN));
  return loaded;
}
