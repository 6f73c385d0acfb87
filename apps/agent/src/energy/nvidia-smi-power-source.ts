import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { pointsToIntervals, type PowerInterval, type PowerPoint } from './power-readings.js';
import type { PowerSource } from './power-source.js';

/** `2026/12/01 14:21:24.123` (nvidia-smi's `timestamp`, local time) as epoch milliseconds; NaN when not. */
export function parseNvidiaSmiTimestamp(text: string): number {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, ms] = m;
  return new Date(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, ms ? Number(ms.padEnd(3, '0')) : 0).getTime();
}

/**
 * Reads the stream of `nvidia-smi --query-gpu=timestamp,index,<power field> --format=csv,noheader,nounits -lms N`:
 * one line per GPU per tick. Lines of one tick (one line per expected GPU) are summed into one reading.
 * Unreadable lines and `[N/A]` values are counted, not fatal.
 */
export class NvidiaSmiPowerParser {
  private partial = '';
  private tick: { atMs: number; watts: number; gpus: Set<number> } | null = null;
  /** Lines that were not `timestamp, index, watts`. */
  skippedLines = 0;

  constructor(
    private readonly expectedGpus: number,
    private readonly onPoint: (point: PowerPoint) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Feeds a chunk of stdout. */
  write(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** Flushes what is left at the end of the stream. */
  end(): void {
    if (this.partial.trim() !== '') this.line(this.partial);
    this.partial = '';
    this.flush();
  }

  private line(line: string): void {
    if (line.trim() === '') return;
    const fields = line.split(',').map((f) => f.trim());
    const index = Number(fields[1]);
    const watts = Number(fields[2]);
    if (fields.length !== 3 || !Number.isInteger(index) || !Number.isFinite(watts) || watts < 0) {
      this.skippedLines++;
      return;
    }
    const stamped = parseNvidiaSmiTimestamp(fields[0]!);
    const atMs = Number.isFinite(stamped) ? stamped : this.now();
    if (this.tick && this.tick.gpus.has(index)) this.flush();
    this.tick ??= { atMs, watts: 0, gpus: new Set() };
    this.tick.watts += watts;
    this.tick.gpus.add(index);
    if (this.tick.gpus.size >= this.expectedGpus) this.flush();
  }

  private flush(): void {
    if (this.tick) this.onPoint({ atMs: this.tick.atMs, watts: this.tick.watts });
    this.tick = null;
  }
}

/** Options of {@link NvidiaSmiPowerSource.start}. */
export interface NvidiaSmiPowerOptions {
  /** The binary (default `nvidia-smi` on PATH). */
  binary?: string;
  /** GPU indices to measure; empty = every GPU. */
  gpus?: readonly number[];
  /** Sampling interval, in milliseconds (default 100). */
  intervalMs?: number;
  retainMs?: number;
  env?: NodeJS.ProcessEnv;
}

function run(
  binary: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ error: Error | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: 10_000, ...(env ? { env } : {}) }, (error, stdout) =>
      resolve({ error, stdout: String(stdout) }),
    );
  });
}

/**
 * GPU board power from a long-running `nvidia-smi … -lms 100`. Prefers `power.draw.instant` (drivers ≥ 530):
 * plain `power.draw` is a one-second average on recent drivers, which smears phases shorter than a second.
 */
export class NvidiaSmiPowerSource implements PowerSource {
  readonly description: string;
  readonly intervalMs: number;
  private points: PowerPoint[] = [];
  private failed: string | null = null;
  private stopping = false;
  private readonly parser: NvidiaSmiPowerParser;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    field: string,
    gpus: readonly number[],
    options: NvidiaSmiPowerOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 100;
    const retainMs = options.retainMs ?? 15 * 60_000;
    this.description = `nvidia-smi ${field} every ${this.intervalMs} ms, GPU${gpus.length === 1 ? '' : 's'} ${gpus.join(',')}`;
    this.parser = new NvidiaSmiPowerParser(gpus.length, (point) => {
      this.points.push(point);
      const horizon = point.atMs - retainMs;
      if (this.points[0]!.atMs < horizon) this.points = this.points.filter((p) => p.atMs >= horizon);
    });
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.parser.write(chunk));
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.parser.end();
        if (!this.stopping) this.failed = `nvidia-smi exited early (code ${code}, signal ${signal})`;
        resolve();
      });
      child.on('error', (error) => {
        if (!this.stopping) this.failed = `nvidia-smi failed: ${error.message}`;
      });
    });
  }

  /** Probes which power field the driver knows and which GPUs report power, then starts the stream. */
  static async start(
    options: NvidiaSmiPowerOptions = {},
  ): Promise<{ source: NvidiaSmiPowerSource } | { unavailable: string }> {
    const binary = options.binary ?? 'nvidia-smi';
    const select = options.gpus && options.gpus.length > 0 ? ['-i', options.gpus.join(',')] : [];
    let field = 'power.draw.instant';
    let probe = await run(
      binary,
      [`--query-gpu=index,${field}`, '--format=csv,noheader,nounits', ...select],
      options.env,
    );
    if ((probe.error as NodeJS.ErrnoException | null)?.code === 'ENOENT')
      return { unavailable: `${binary} not found on PATH (no NVIDIA driver here)` };
    if (probe.error) {
      field = 'power.draw';
      probe = await run(
        binary,
        [`--query-gpu=index,${field}`, '--format=csv,noheader,nounits', ...select],
        options.env,
      );
    }
    if (probe.error)
      return { unavailable: `${binary} --query-gpu=index,power.draw failed: ${probe.error.message}` };
    const rows = probe.stdout
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => l.split(',').map((f) => f.trim()));
    if (rows.length === 0) return { unavailable: `${binary} lists no GPU` };
    const noPower = rows.filter((r) => !Number.isFinite(Number(r[1])));
    if (noPower.length > 0)
      return {
        unavailable: `GPU ${noPower.map((r) => r[0]).join(',')} reports no ${field} (${noPower[0]![1]}): the board or driver does not expose power`,
      };
    const gpus = rows.map((r) => Number(r[0]));
    const intervalMs = options.intervalMs ?? 100;
    const child = spawn(
      binary,
      [
        `--query-gpu=timestamp,index,${field}`,
        '--format=csv,noheader,nounits',
        '-lms',
        String(intervalMs),
        ...select,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'], ...(options.env ? { env: options.env } : {}) },
    );
    return { source: new NvidiaSmiPowerSource(child, field, gpus, options) };
  }

  /** Lines of the stream that could not be read. */
  get skippedLines(): number {
    return this.parser.skippedLines;
  }

  intervals(fromMs: number): PowerInterval[] {
    return pointsToIntervals(this.points, this.intervalMs).filter((iv) => iv.toMs > fromMs);
  }

  latestMs(): number | null {
    const last = this.points.at(-1);
    return last ? last.atMs : null;
  }

  failure(): string | null {
    return this.failed;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
