import type { BenchCase } from '@rigbench/shared';

/** Plan axes an answer can rank (the matrix axes, plus the model). */
export const ANSWER_AXES = [
  'backend',
  'devices',
  'model',
  'threads',
  'batchSize',
  'gpuLayers',
  'contextSize',
  'flashAttention',
  'kvCacheType',
] as const;
export type AnswerAxis = (typeof ANSWER_AXES)[number];

/** A case's value on every axis, as text (`devices` as `0,1`, `none` for the CPU backend). */
export type AxisValues = Record<AnswerAxis, string>;

/** Short names used in sentences and "held fixed" lists. */
export const AXIS_NAMES: Record<AnswerAxis, string> = {
  backend: 'backend',
  devices: 'devices',
  model: 'model',
  threads: 'threads',
  batchSize: 'batch size',
  gpuLayers: 'GPU layers',
  contextSize: 'context',
  flashAttention: 'flash attention',
  kvCacheType: 'KV cache',
};

export function axisValues(c: BenchCase): AxisValues {
  return {
    backend: c.backend,
    devices: c.devices.length > 0 ? c.devices.join(',') : 'none',
    model: c.model.id,
    threads: String(c.threads),
    batchSize: String(c.batchSize),
    gpuLayers: String(c.gpuLayers),
    contextSize: String(c.contextSize),
    flashAttention: c.flashAttention ? 'on' : 'off',
    kvCacheType: c.kvCacheType,
  };
}

/**
 * Axes whose value follows from another's: the CPU backend runs with no devices and 0 GPU layers, so comparing
 * backends compares cpu against every GPU device set and layer count (they are not "held fixed"); comparing
 * devices or GPU layers leaves CPU cases out (they have neither).
 */
export function impliedBy(axis: AnswerAxis): readonly AnswerAxis[] {
  return axis === 'backend' ? ['devices', 'gpuLayers'] : [];
}

/** Whether a case takes part in comparisons along `axis` (CPU cases have no devices or GPU layers to vary). */
export function appliesTo(axis: AnswerAxis, values: AxisValues): boolean {
  return !((axis === 'devices' || axis === 'gpuLayers') && values.backend === 'cpu');
}

/**
 * The part of a case that must match for two cases to be compared along `axis`: every other axis, except those
 * the compared value implies for this case (a CPU case leaves devices and GPU layers open: `*`).
 */
export function matchKey(values: AxisValues, axis: AnswerAxis): string {
  const open = values.backend === 'cpu' ? impliedBy(axis) : [];
  return ANSWER_AXES.filter((a) => a !== axis)
    .map((a) => (open.includes(a) ? '*' : values[a]))
    .join('\u0001');
}

/** Whether two match keys agree, `*` matching anything. */
export function keysMatch(a: string, b: string): boolean {
  const pa = a.split('\u0001');
  const pb = b.split('\u0001');
  return pa.every((v, i) => v === pb[i] || v === '*' || pb[i] === '*');
}
