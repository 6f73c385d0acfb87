/** Power sampling while a case runs: GPU (nvidia-smi), CPU packages (RAPL), attributed to prompt and decode. */
export {
  EnergySampler,
  samplePhases,
  type EnergySamplerOptions,
  type SamplePhases,
} from './energy-sampler.js';
export {
  NvidiaSmiPowerSource,
  NvidiaSmiPowerParser,
  parseNvidiaSmiTimestamp,
  type NvidiaSmiPowerOptions,
} from './nvidia-smi-power-source.js';
export {
  RaplSource,
  discoverRaplZones,
  POWERCAP_ROOT,
  type RaplZone,
  type RaplSourceOptions,
} from './rapl-source.js';
export {
  counterDeltaJoules,
  pointsToIntervals,
  windowEnergy,
  type PowerInterval,
  type PowerPoint,
  type WindowEnergy,
} from './power-readings.js';
export { IntervalBuffer, type PowerSource } from './power-source.js';
export { CaseEnergy, DEFAULT_IDLE_BASELINE_MS, type CaseEnergyOptions } from './case-energy.js';
