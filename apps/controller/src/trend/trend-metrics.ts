import { decodeWatts, type Sample } from '@rigbench/shared';
import { METRICS, sampleMetric, type Better } from '../report/report-metrics.js';

/** A figure `rigbench trend` can follow, with how to read it from a sample. */
export interface TrendMetricInfo {
  /** Stable id in the JSON output (the report's metric id where there is one). */
  id: string;
  label: string;
  /** Display unit; values are in the base unit times `displayFactor`. */
  unit: string;
  displayFactor: number;
  digits: number;
  better: Better;
  /** The sample's value; NaN when it has none. */
  value(sample: Sample): number;
  /** True for figures that need a power source (their absence is explained from the fingerprints). */
  energy: boolean;
}

function fromReport(id: keyof typeof METRICS): TrendMetricInfo {
  const m = METRICS[id];
  return {
    id,
    label: m.label,
    unit: m.displayUnit,
    displayFactor: m.displayFactor,
    digits: m.digits,
    better: m.better,
    value: (s) => sampleMetric(s, id),
    energy: false,
  };
}

/** Figures of `rigbench trend --metric`. */
export const TREND_METRICS = {
  decode: fromReport('decodeTokensPerSecond'),
  prompt: fromReport('promptTokensPerSecond'),
  ttft: fromReport('ttftSeconds'),
  itl: fromReport('interTokenLatencyP50Seconds'),
  tpj: {
    id: 'decodeTokensPerJoule',
    label: 'decode tok/J',
    unit: 'tok/J',
    displayFactor: 1,
    digits: 3,
    better: 'higher',
    value: (s) => s.energy?.decodeTokensPerJoule ?? NaN,
    energy: true,
  },
  watts: {
    id: 'decodeWatts',
    label: 'decode W',
    unit: 'W',
    displayFactor: 1,
    digits: 1,
    better: 'lower',
    value: (s) => decodeWatts(s.energy) ?? NaN,
    energy: true,
  },
} as const satisfies Record<string, TrendMetricInfo>;
export type TrendMetricName = keyof typeof TREND_METRICS;
