import type { PowerInterval } from './power-readings.js';

/** A running power source: what it measures, and its readings so far as intervals of constant power. */
export interface PowerSource {
  /** Human description for the fingerprint, e.g. `powercap intel-rapl:0 (package-0) every 100 ms`. */
  readonly description: string;
  /** Nominal time between readings, in milliseconds. */
  readonly intervalMs: number;
  /** Readings overlapping `fromMs` or later (epoch milliseconds). */
  intervals(fromMs: number): PowerInterval[];
  /** End of the newest reading (epoch milliseconds); null before the first. */
  latestMs(): number | null;
  /** Why the source stopped early (its process died, a file vanished); null while healthy. */
  failure(): string | null;
  stop(): Promise<void>;
}

/** Keeps intervals for `retainMs` behind the newest one. */
export class IntervalBuffer {
  private items: PowerInterval[] = [];

  constructor(private readonly retainMs: number) {}

  push(interval: PowerInterval): void {
    this.items.push(interval);
    const horizon = interval.toMs - this.retainMs;
    let drop = 0;
    while (drop < this.items.length && this.items[drop]!.toMs < horizon) drop++;
    if (drop > 0) this.items = this.items.slice(drop);
  }

  from(fromMs: number): PowerInterval[] {
    return this.items.filter((iv) => iv.toMs > fromMs);
  }

  latestMs(): number | null {
    return this.items.at(-1)?.toMs ?? null;
  }
}
