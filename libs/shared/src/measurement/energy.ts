/**
 * Power and energy of a measured repetition, split into its prompt and decode phases. Watts and joules are as
 * the source reports them (idle included); the idle baseline measured before the case sits beside them, so
 * "above idle" figures can be derived without losing the raw ones. docs/measurement.md ("Energy") has the
 * method and its limits (sampling resolution against short phases, RAPL scope).
 */

/** One phase (prompt or decode) as seen by one power source. */
export interface PhaseEnergy {
  /** Length of the phase, in seconds. */
  seconds: number;
  /** Energy over the phase, in joules (idle included). */
  joules: number;
  /** joules / seconds, in watts. */
  meanWatts: number;
  /** Highest power reading overlapping the phase, in watts. */
  peakWatts: number;
  /**
   * Power readings that overlap the phase. 1–2 means the phase is about as short as the sampling interval: its
   * figure is the reading around it, not a measurement of the phase alone.
   */
  readings: number;
  /** Tokens of the phase per joule (idle included); null when the phase had no tokens or no energy. */
  tokensPerJoule: number | null;
  /** Tokens per joule above the idle baseline; null without a baseline or when the phase drew no more than idle. */
  tokensPerJouleAboveIdle: number | null;
}

/** What one source (the case's GPUs, or the CPU packages) measured for a repetition. */
export interface SourceEnergy {
  /** Mean power over the idle window before the case, in watts; null when no baseline was taken. */
  idleWatts: number | null;
  prompt: PhaseEnergy | null;
  decode: PhaseEnergy | null;
}

/** Energy of one repetition. Absent in samples recorded before energy was measured. */
export interface SampleEnergy {
  /** The case's GPUs (nvidia-smi); null when no GPU power was readable (the reason is in the fingerprint). */
  gpu: SourceEnergy | null;
  /** CPU packages (Linux powercap / RAPL); null when not readable (the reason is in the fingerprint). */
  cpu: SourceEnergy | null;
  /** Prompt tokens per joule of every available source together (GPU + CPU); null when none. */
  promptTokensPerJoule: number | null;
  /** Decode tokens per joule of every available source together (GPU + CPU); null when none. */
  decodeTokensPerJoule: number | null;
}

/** What one source (the case's GPUs, or the CPU packages) measured over one serving-load level. */
export interface LevelSourceEnergy {
  /** Mean power over the idle window before the case, in watts; null when no baseline was taken. */
  idleWatts: number | null;
  /**
   * The level's window, from its first arrival to its last token: every request's prompt and decode together, so
   * `tokensPerJoule` counts output tokens. Null when the source had no reading.
   */
  level: PhaseEnergy | null;
}

/** Energy of one serving-load level. Absent in levels recorded with energy off (or before it was measured). */
export interface LoadLevelEnergy {
  /** The case's GPUs (nvidia-smi); null when no GPU power was readable (the reason is in the fingerprint). */
  gpu: LevelSourceEnergy | null;
  /** CPU packages (Linux powercap / RAPL); null when not readable (the reason is in the fingerprint). */
  cpu: LevelSourceEnergy | null;
  /** Output tokens of every request per joule of every available source together (GPU + CPU); null when none. */
  outputTokensPerJoule: number | null;
}

/** Which power sources a case was measured with, and why a source is missing. Part of the fingerprint. */
export interface EnergySources {
  /** e.g. `nvidia-smi power.draw.instant every 100 ms, GPUs 0,1`; null when GPU power was not measured. */
  gpu: string | null;
  /** Why GPU power was not measured (e.g. `nvidia-smi not found on PATH`); null when it was. */
  gpuUnavailable: string | null;
  /** e.g. `powercap intel-rapl:0 (package-0) every 100 ms`; null when CPU power was not measured. */
  cpu: string | null;
  /** Why CPU power was not measured (e.g. `/sys/class/powercap does not exist`); null when it was. */
  cpuUnavailable: string | null;
}

/**
 * Mean power while decoding over every measured source together (GPU + CPU packages, idle included), in watts;
 * null when no source measured the decode phase.
 */
export function decodeWatts(energy: SampleEnergy | null | undefined): number | null {
  return totalWatts(energy?.gpu?.decode, energy?.cpu?.decode);
}

/**
 * Mean power over a serving-load level's window over every measured source together (GPU + CPU packages, idle
 * included), in watts; null when no source measured the level.
 */
export function loadLevelWatts(energy: LoadLevelEnergy | null | undefined): number | null {
  return totalWatts(energy?.gpu?.level, energy?.cpu?.level);
}

function totalWatts(...phases: ReadonlyArray<PhaseEnergy | null | undefined>): number | null {
  const measured = phases.filter((p): p is PhaseEnergy => p != null);
  return measured.length > 0 ? measured.reduce((sum, p) => sum + p.meanWatts, 0) : null;
}
