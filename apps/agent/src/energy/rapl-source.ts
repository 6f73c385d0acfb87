import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { counterDeltaJoules } from './power-readings.js';
import { IntervalBuffer, type PowerSource } from './power-source.js';

/** Where Linux exposes powercap zones. */
export const POWERCAP_ROOT = '/sys/class/powercap';

/** One top-level RAPL zone (a CPU package on Intel and AMD; sub-zones such as `core` are inside it). */
export interface RaplZone {
  /** Directory name, e.g. `intel-rapl:0`. */
  id: string;
  /** The zone's `name` file, e.g. `package-0`. */
  name: string;
  energyFile: string;
  maxEnergyRangeUj: number;
}

/** Reads one number from a sysfs file. */
function readNumber(file: string): number {
  const text = readFileSync(file, 'utf8').trim();
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`${file} holds '${text.slice(0, 40)}', not a number`);
  return n;
}

function why(error: unknown, file: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM')
    return (
      `${file} is not readable by this user (${code}): since Linux 5.10 energy_uj is root-only; ` +
      'grant read access (e.g. a udev rule or systemd tmpfiles chmod on the file) to measure CPU energy'
    );
  return `${file}: ${(error as Error).message}`;
}

/**
 * The readable top-level RAPL zones under `root`, or why there are none. Top-level zones only
 * (`intel-rapl:N`), since sub-zones (`intel-rapl:N:M`: core, uncore, dram) are part of their package's count
 * (except DRAM on some servers, which RAPL does not include in the package: docs/measurement.md).
 */
export function discoverRaplZones(root = POWERCAP_ROOT): { zones: RaplZone[] } | { unavailable: string } {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      unavailable:
        code === 'ENOENT'
          ? `${root} does not exist (no powercap driver: not Linux, a VM or container without it, or intel_rapl not loaded)`
          : why(error, root),
    };
  }
  const ids = entries.filter((e) => /^intel-rapl:\d+$/.test(e)).sort();
  if (ids.length === 0)
    return { unavailable: `${root} has no intel-rapl:N zone (no RAPL on this CPU or kernel)` };
  const zones: RaplZone[] = [];
  for (const id of ids) {
    const dir = join(root, id);
    const energyFile = join(dir, 'energy_uj');
    try {
      readNumber(energyFile);
      zones.push({
        id,
        name: readFileSync(join(dir, 'name'), 'utf8').trim() || id,
        energyFile,
        maxEnergyRangeUj: readNumber(join(dir, 'max_energy_range_uj')),
      });
    } catch (error) {
      return { unavailable: why(error, energyFile) };
    }
  }
  return { zones };
}

/** Options of {@link RaplSource.start}. */
export interface RaplSourceOptions {
  root?: string;
  /** Time between counter reads, in milliseconds (default 100). */
  intervalMs?: number;
  /** How long readings are kept, in milliseconds (default 15 minutes). */
  retainMs?: number;
  /** Clock, epoch milliseconds (tests). */
  now?: () => number;
}

/**
 * CPU package power from RAPL energy counters: every `intervalMs` each zone's `energy_uj` is read, the
 * difference since the last read (wraparound at `max_energy_range_uj` handled) summed over packages and divided
 * by the elapsed time gives one interval of mean power.
 */
export class RaplSource implements PowerSource {
  readonly description: string;
  readonly intervalMs: number;
  private readonly buffer: IntervalBuffer;
  private readonly now: () => number;
  private last: { atMs: number; uj: number[] };
  private timer: NodeJS.Timeout | undefined;
  private failed: string | null = null;

  private constructor(
    readonly zones: readonly RaplZone[],
    options: RaplSourceOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 100;
    this.buffer = new IntervalBuffer(options.retainMs ?? 15 * 60_000);
    this.now = options.now ?? Date.now;
    this.description = `powercap ${zones.map((z) => `${z.id} (${z.name})`).join(', ')} every ${this.intervalMs} ms`;
    this.last = { atMs: this.now(), uj: zones.map((z) => readNumber(z.energyFile)) };
  }

  /** Starts reading the counters, or says why it cannot. */
  static start(options: RaplSourceOptions = {}): { source: RaplSource } | { unavailable: string } {
    const found = discoverRaplZones(options.root);
    if ('unavailable' in found) return found;
    const source = new RaplSource(found.zones, options);
    source.timer = setInterval(() => source.poll(), source.intervalMs);
    source.timer.unref();
    return { source };
  }

  /** Reads every counter once and records the interval since the previous read (also called by the timer). */
  poll(): void {
    if (this.failed) return;
    try {
      const atMs = this.now();
      const uj = this.zones.map((z) => readNumber(z.energyFile));
      const elapsedMs = atMs - this.last.atMs;
      if (elapsedMs <= 0) return;
      let joules = 0;
      uj.forEach((value, i) => {
        joules += counterDeltaJoules(this.last.uj[i]!, value, this.zones[i]!.maxEnergyRangeUj);
      });
      this.buffer.push({ fromMs: this.last.atMs, toMs: atMs, watts: (joules * 1000) / elapsedMs });
      this.last = { atMs, uj };
    } catch (error) {
      this.failed = `reading RAPL counters failed: ${(error as Error).message}`;
      clearInterval(this.timer);
    }
  }

  intervals(fromMs: number) {
    return this.buffer.from(fromMs);
  }

  latestMs(): number | null {
    return this.buffer.latestMs();
  }

  failure(): string | null {
    return this.failed;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }
}
