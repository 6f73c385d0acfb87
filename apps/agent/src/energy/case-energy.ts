import type { BenchCase, EnergySources, LoadLevelRecord, Sample } from '@rigbench/shared';
import { EnergySampler, samplePhases, type EnergySamplerOptions } from './energy-sampler.js';

/** How the engine measures energy; `false` turns it off. */
export interface CaseEnergyOptions extends Omit<EnergySamplerOptions, 'gpus'> {
  /** Idle window before each case, in milliseconds (default 1000; 0: no baseline). */
  idleBaselineMs?: number;
}

/** Default idle window before a case, in milliseconds. */
export const DEFAULT_IDLE_BASELINE_MS = 1000;

/**
 * Energy measurement of one case: the sources are started and the idle baseline taken before the case's
 * first repetition, each sample gets its phases' energy (a load level: its window's), the sources stop with the
 * case.
 */
export class CaseEnergy {
  private constructor(private readonly sampler: EnergySampler) {}

  /** Starts sampling for `benchCase` (its GPUs) and measures the idle baseline. */
  static async start(
    benchCase: BenchCase,
    options: CaseEnergyOptions,
    signal?: AbortSignal,
  ): Promise<CaseEnergy> {
    const { idleBaselineMs = DEFAULT_IDLE_BASELINE_MS, ...samplerOptions } = options;
    const sampler = await EnergySampler.start({ ...samplerOptions, gpus: benchCase.devices });
    await sampler.idleBaseline(idleBaselineMs, signal);
    return new CaseEnergy(sampler);
  }

  /** What measured, and why a source is missing (for the case's fingerprint). */
  get sources(): EnergySources {
    return this.sampler.sources;
  }

  /** The sample with its `energy` (null when no source is readable). */
  async attach(sample: Sample, signal?: AbortSignal): Promise<Sample> {
    return { ...sample, energy: await this.sampler.attribute(samplePhases(sample), signal) };
  }

  /**
   * The load level with its `energy` over `window` (epoch milliseconds, first arrival to last token): null when
   * no source is readable or the level sent no request (`window` null).
   */
  async attachLevel(
    level: LoadLevelRecord,
    window: { fromMs: number; toMs: number } | null,
    signal?: AbortSignal,
  ): Promise<LoadLevelRecord> {
    if (window === null) return { ...level, energy: null };
    const outputTokens = level.requests.reduce((sum, r) => sum + r.outputTokens, 0);
    return { ...level, energy: await this.sampler.attributeLevel(window, outputTokens, signal) };
  }

  async stop(): Promise<void> {
    await this.sampler.stop();
  }
}
