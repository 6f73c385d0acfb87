import type {
  EnergySources,
  LevelSourceEnergy,
  LoadLevelEnergy,
  PhaseEnergy,
  Sample,
  SampleEnergy,
  SourceEnergy,
} from '@rigbench/shared';
import { NvidiaSmiPowerSource } from './nvidia-smi-power-source.js';
import { windowEnergy } from './power-readings.js';
import type { PowerSource } from './power-source.js';
import { RaplSource, POWERCAP_ROOT } from './rapl-source.js';

/** Options of {@link EnergySampler.start}. */
export interface EnergySamplerOptions {
  /** The case's GPU indices; empty = every GPU nvidia-smi lists. */
  gpus?: readonly number[];
  /** Sampling interval of both sources, in milliseconds (default 100). */
  intervalMs?: number;
  /** nvidia-smi binary (default `nvidia-smi` on PATH); false: do not measure GPU power. */
  nvidiaSmi?: string | false;
  /** powercap root (default `/sys/class/powercap`); false: do not measure CPU power. */
  powercapRoot?: string | false;
  /** Environment for nvidia-smi (default the agent's). */
  env?: NodeJS.ProcessEnv;
  /** Clock, epoch milliseconds. */
  now?: () => number;
}

/** The time windows of one repetition, epoch milliseconds, and the tokens of each. */
export interface SamplePhases {
  promptFromMs: number;
  promptToMs: number;
  promptTokens: number;
  decodeFromMs: number;
  decodeToMs: number;
  decodeTokens: number;
}

/**
 * A sample's phases from its own figures: prompt from `startedAt` to the first token (TTFT; prompt time when
 * nothing was generated), decode from there for `decodeSeconds`.
 */
export function samplePhases(sample: Sample): SamplePhases {
  const start = Date.parse(sample.startedAt);
  const promptEnd = start + (sample.ttftSeconds ?? sample.promptSeconds) * 1000;
  return {
    promptFromMs: start,
    promptToMs: promptEnd,
    promptTokens: sample.promptTokens,
    decodeFromMs: promptEnd,
    decodeToMs: promptEnd + sample.decodeSeconds * 1000,
    decodeTokens: Math.round(sample.decodeTokensPerSecond * sample.decodeSeconds),
  };
}

interface Measured {
  source: PowerSource;
  idleWatts: number | null;
}

const delay = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Samples GPU (nvidia-smi) and CPU package (RAPL) power while a case runs and attributes it to each
 * repetition's prompt and decode phases by timestamp. Start it before the case, take the idle baseline, call
 * {@link attribute} for every sample, stop it after the case. Sources that cannot be read are reported in
 * {@link sources} with the reason; with none readable, {@link attribute} returns null.
 */
export class EnergySampler {
  private constructor(
    private readonly gpu: Measured | null,
    private readonly cpu: Measured | null,
    /** What measured, and why a source is missing: goes into the fingerprint. */
    readonly sources: EnergySources,
    private readonly now: () => number,
  ) {}

  static async start(options: EnergySamplerOptions = {}): Promise<EnergySampler> {
    const intervalMs = options.intervalMs ?? 100;
    const gpuStart =
      options.nvidiaSmi === false
        ? { unavailable: 'GPU power measurement is off' }
        : await NvidiaSmiPowerSource.start({
            intervalMs,
            gpus: options.gpus ?? [],
            ...(options.nvidiaSmi ? { binary: options.nvidiaSmi } : {}),
            ...(options.env ? { env: options.env } : {}),
          });
    const cpuStart =
      options.powercapRoot === false
        ? { unavailable: 'CPU power measurement is off' }
        : RaplSource.start({
            root: options.powercapRoot ?? POWERCAP_ROOT,
            intervalMs,
            ...(options.now ? { now: options.now } : {}),
          });
    const gpu = 'source' in gpuStart ? { source: gpuStart.source as PowerSource, idleWatts: null } : null;
    const cpu = 'source' in cpuStart ? { source: cpuStart.source as PowerSource, idleWatts: null } : null;
    return new EnergySampler(
      gpu,
      cpu,
      {
        gpu: gpu?.source.description ?? null,
        gpuUnavailable: 'unavailable' in gpuStart ? gpuStart.unavailable : null,
        cpu: cpu?.source.description ?? null,
        cpuUnavailable: 'unavailable' in cpuStart ? cpuStart.unavailable : null,
      },
      options.now ?? Date.now,
    );
  }

  /** True when at least one source is measuring. */
  get active(): boolean {
    return this.gpu !== null || this.cpu !== null;
  }

  private measured(): Measured[] {
    return [this.gpu, this.cpu].filter((m): m is Measured => m !== null);
  }

  /**
   * Waits until every source has a reading at or after `ms`, at most `timeoutMs` (readings arrive every
   * interval; a dead source is not waited for).
   */
  async readingsUntil(ms: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const pending = this.measured().filter(
        (m) => m.source.failure() === null && (m.source.latestMs() ?? -Infinity) < ms,
      );
      if (pending.length === 0 || this.now() >= deadline || signal?.aborted) return;
      const step = Math.min(...pending.map((m) => m.source.intervalMs)) / 2;
      await delay(step, signal);
    }
  }

  /**
   * Measures the idle power of each source over `ms` milliseconds from now (nothing running on the
   * case's devices): the baseline reported beside each repetition's figures.
   */
  async idleBaseline(ms: number, signal?: AbortSignal): Promise<void> {
    if (!this.active || ms <= 0) return;
    const from = this.now();
    await delay(ms, signal);
    const to = this.now();
    await this.readingsUntil(to, 3 * ms + 1000, signal);
    for (const m of this.measured())
      m.idleWatts = windowEnergy(m.source.intervals(from), from, to)?.meanWatts ?? null;
  }

  /** Energy of one repetition by phase, waiting (bounded) for the readings that cover its end. */
  async attribute(phases: SamplePhases, signal?: AbortSignal): Promise<SampleEnergy | null> {
    if (!this.active) return null;
    await this.readingsCovering(phases.decodeToMs, signal);
    const gpu = this.gpu ? sourceEnergy(this.gpu, phases) : null;
    const cpu = this.cpu ? sourceEnergy(this.cpu, phases) : null;
    return {
      gpu,
      cpu,
      promptTokensPerJoule: perJoule(phases.promptTokens, totalJoules(gpu?.prompt, cpu?.prompt)),
      decodeTokensPerJoule: perJoule(phases.decodeTokens, totalJoules(gpu?.decode, cpu?.decode)),
    };
  }

  /**
   * Energy of one serving-load level over its window (first arrival to last token, epoch milliseconds), waiting
   * (bounded) for the readings that cover its end; `outputTokens` of every request give the tokens per joule.
   */
  async attributeLevel(
    window: { fromMs: number; toMs: number },
    outputTokens: number,
    signal?: AbortSignal,
  ): Promise<LoadLevelEnergy | null> {
    if (!this.active) return null;
    await this.readingsCovering(window.toMs, signal);
    const level = (m: Measured | null): LevelSourceEnergy | null =>
      m && { idleWatts: m.idleWatts, level: phaseEnergy(m, window.fromMs, window.toMs, outputTokens) };
    const gpu = level(this.gpu);
    const cpu = level(this.cpu);
    return { gpu, cpu, outputTokensPerJoule: perJoule(outputTokens, totalJoules(gpu?.level, cpu?.level)) };
  }

  /** Waits, at most five sampling intervals and a second, for readings at or after `ms` from every source. */
  private readingsCovering(ms: number, signal?: AbortSignal): Promise<void> {
    const maxInterval = Math.max(...this.measured().map((m) => m.source.intervalMs));
    return this.readingsUntil(ms, 5 * maxInterval + 1000, signal);
  }

  async stop(): Promise<void> {
    await Promise.all(this.measured().map((m) => m.source.stop()));
  }
}

/** Joules of the phases that were measured (GPU + CPU); null when none was. */
function totalJoules(...phases: ReadonlyArray<PhaseEnergy | null | undefined>): number | null {
  const measured = phases.filter((p): p is PhaseEnergy => p != null);
  return measured.length > 0 ? measured.reduce((sum, p) => sum + p.joules, 0) : null;
}

function perJoule(tokens: number, joules: number | null): number | null {
  return tokens > 0 && joules !== null && joules > 0 ? tokens / joules : null;
}

function phaseEnergy(m: Measured, fromMs: number, toMs: number, tokens: number): PhaseEnergy | null {
  const w = windowEnergy(m.source.intervals(fromMs), fromMs, toMs);
  if (!w) return null;
  const aboveIdle = m.idleWatts === null ? null : w.joules - m.idleWatts * w.seconds;
  return {
    seconds: w.seconds,
    joules: w.joules,
    meanWatts: w.meanWatts,
    peakWatts: w.peakWatts,
    readings: w.readings,
    tokensPerJoule: perJoule(tokens, w.joules),
    tokensPerJouleAboveIdle: aboveIdle === null ? null : perJoule(tokens, aboveIdle),
  };
}

function sourceEnergy(m: Measured, p: SamplePhases): SourceEnergy {
  return {
    idleWatts: m.idleWatts,
    prompt: phaseEnergy(m, p.promptFromMs, p.promptToMs, p.promptTokens),
    decode: phaseEnergy(m, p.decodeFromMs, p.decodeToMs, p.decodeTokens),
  };
}
