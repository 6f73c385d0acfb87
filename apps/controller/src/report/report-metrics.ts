import { decodeWatts, type Sample } from '@rigbench/shared';

/** Whether a larger value of a metric is an improvement. */
export type Better = 'higher' | 'lower';

/** Metrics summarized per group. Values are stored in base units (seconds, bytes, tokens per second). */
export const METRIC_IDS = [
  'decodeTokensPerSecond',
  'promptTokensPerSecond',
  'ttftSeconds',
  'interTokenLatencyP50Seconds',
  'interTokenLatencyP90Seconds',
  'interTokenLatencyP99Seconds',
  'vramPeakBytes',
  'modelLoadSeconds',
  'decodeTokensPerJoule',
  'decodeWatts',
] as const;
export type MetricId = (typeof METRIC_IDS)[number];

export interface MetricInfo {
  id: MetricId;
  /** Short human label, e.g. `decode t/s`. */
  label: string;
  /** Base unit of stored values. */
  unit: 'tok/s' | 's' | 'bytes' | 'tok/J' | 'W';
  better: Better;
  /** Display unit and factor from the base unit (ITL in ms, VRAM in GiB). */
  displayUnit: string;
  displayFactor: number;
  /** Decimals shown in md/html. */
  digits: number;
}

export const METRICS: Readonly<Record<MetricId, MetricInfo>> = {
  decodeTokensPerSecond: {
    id: 'decodeTokensPerSecond',
    label: 'decode t/s',
    unit: 'tok/s',
    better: 'higher',
    displayUnit: 'tok/s',
    displayFactor: 1,
    digits: 2,
  },
  promptTokensPerSecond: {
    id: 'promptTokensPerSecond',
    label: 'prompt t/s',
    unit: 'tok/s',
    better: 'higher',
    displayUnit: 'tok/s',
    displayFactor: 1,
    digits: 1,
  },
  ttftSeconds: {
    id: 'ttftSeconds',
    label: 'TTFT',
    unit: 's',
    better: 'lower',
    displayUnit: 's',
    displayFactor: 1,
    digits: 3,
  },
  interTokenLatencyP50Seconds: {
    id: 'interTokenLatencyP50Seconds',
    label: 'ITL p50',
    unit: 's',
    better: 'lower',
    displayUnit: 'ms',
    displayFactor: 1000,
    digits: 2,
  },
  interTokenLatencyP90Seconds: {
    id: 'interTokenLatencyP90Seconds',
    label: 'ITL p90',
    unit: 's',
    better: 'lower',
    displayUnit: 'ms',
    displayFactor: 1000,
    digits: 2,
  },
  interTokenLatencyP99Seconds: {
    id: 'interTokenLatencyP99Seconds',
    label: 'ITL p99',
    unit: 's',
    better: 'lower',
    displayUnit: 'ms',
    displayFactor: 1000,
    digits: 2,
  },
  vramPeakBytes: {
    id: 'vramPeakBytes',
    label: 'VRAM peak',
    unit: 'bytes',
    better: 'lower',
    displayUnit: 'GiB',
    displayFactor: 1 / 2 ** 30,
    digits: 2,
  },
  modelLoadSeconds: {
    id: 'modelLoadSeconds',
    label: 'model load',
    unit: 's',
    better: 'lower',
    displayUnit: 's',
    displayFactor: 1,
    digits: 2,
  },
  decodeTokensPerJoule: {
    id: 'decodeTokensPerJoule',
    label: 'decode tok/J',
    unit: 'tok/J',
    better: 'higher',
    displayUnit: 'tok/J',
    displayFactor: 1,
    digits: 3,
  },
  decodeWatts: {
    id: 'decodeWatts',
    label: 'decode W',
    unit: 'W',
    better: 'lower',
    displayUnit: 'W',
    displayFactor: 1,
    digits: 1,
  },
};

/**
 * The value of a per-sample metric, NaN where the sample has none (no token generated, CPU without VRAM).
 * `modelLoadSeconds` is not read here: it is one figure per case and load, taken from the case (see aggregate).
 */
export function sampleMetric(sample: Sample, id: MetricId): number {
  switch (id) {
    case 'decodeTokensPerSecond':
      return sample.generatedTokens > 1 ? sample.decodeTokensPerSecond : NaN;
    case 'promptTokensPerSecond':
      return sample.promptTokens > 0 ? sample.promptTokensPerSecond : NaN;
    case 'ttftSeconds':
      return sample.ttftSeconds ?? NaN;
    case 'interTokenLatencyP50Seconds':
      return sample.interTokenLatency?.p50 ?? NaN;
    case 'interTokenLatencyP90Seconds':
      return sample.interTokenLatency?.p90 ?? NaN;
    case 'interTokenLatencyP99Seconds':
      return sample.interTokenLatency?.p99 ?? NaN;
    case 'vramPeakBytes':
      return sample.vram?.peakBytes ?? NaN;
    case 'modelLoadSeconds':
      return NaN;
    case 'decodeTokensPerJoule':
      // GPU and CPU packages together, idle included (docs/measurement.md, "Energy"); absent without a source.
      return sample.energy?.decodeTokensPerJoule ?? NaN;
    case 'decodeWatts':
      return decodeWatts(sample.energy) ?? NaN;
  }
}
