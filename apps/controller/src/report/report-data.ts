import { geometricMeanInterval, summarizeInPlace, summarizeSorted, type Summary } from '@rigbench/shared';
import {
  DESCRIPTOR_DIMENSIONS,
  describeCase,
  describeUnknownCase,
  descriptorKey,
  type DescriptorDimension,
  type GroupDescriptor,
} from './group-descriptor.js';
import { METRIC_IDS, METRICS, sampleMetric, type MetricId } from './report-metrics.js';
import { identityOf, variantLabels } from './fingerprint-identity.js';
import type { RunCase, RunDataset } from './run-dataset.js';

/** Statistics of one group (agent × model × backend × devices × threads × settings × test). */
export interface GroupStats {
  index: number;
  key: string;
  descriptor: GroupDescriptor;
  /** Short label naming only the dimensions that vary in the report. */
  label: string;
  /** Runs that contributed samples or cases, by index into {@link ReportData.datasets}. */
  datasetIndexes: number[];
  /** Threads actually used, as the samples report them. */
  threadsUsed: number[];
  /** Number of samples. */
  n: number;
  metrics: Record<MetricId, Summary | null>;
  /** Each metric's values in no particular order (views into shared buffers; do not modify). */
  values: Record<MetricId, Float64Array>;
}

/** Everything a renderer needs, computed once. */
export interface ReportData {
  datasets: readonly RunDataset[];
  groups: GroupStats[];
  /** Descriptor dimensions with more than one value across groups. */
  varying: DescriptorDimension[];
  /** For each dataset, the group index of each of its samples. */
  sampleGroups: Int32Array[];
  /** For each dataset, its highest repetition index (−1 without samples). */
  maxRepetition: number[];
  totalSamples: number;
  confidence: number;
}

/** Label from the dimensions that vary (the model and test are always named). */
export function labelFor(d: GroupDescriptor, varying: readonly DescriptorDimension[]): string {
  const parts: string[] = [];
  for (const dim of DESCRIPTOR_DIMENSIONS) {
    if (dim !== 'model' && dim !== 'test' && !varying.includes(dim)) continue;
    const v = d[dim];
    if (dim === 'variant') {
      if (v) parts.push(`[${v}]`);
    } else parts.push(dim === 'devices' ? `d${v}` : dim === 'threads' ? `t=${v}` : v);
  }
  return parts.join(' ');
}

/** Descriptor dimensions with more than one distinct value. */
export function varyingDimensions(descriptors: readonly GroupDescriptor[]): DescriptorDimension[] {
  return DESCRIPTOR_DIMENSIONS.filter((dim) => new Set(descriptors.map((d) => d[dim])).size > 1);
}

/**
 * The variant label of every case: configurations whose cases ran with different fingerprint identities (model
 * file, quantization, llama.cpp release, driver, threads) become one group per identity, never pooled.
 */
export function caseVariants(datasets: readonly RunDataset[]): (di: number, c: RunCase) => string {
  const byConfig = new Map<string, { di: number; c: RunCase; id: string[] }[]>();
  datasets.forEach((ds, di) => {
    for (const c of ds.cases) {
      const key = descriptorKey(describeCase(c.agentId, c.benchCase, c.fingerprint));
      let list = byConfig.get(key);
      if (!list) byConfig.set(key, (list = []));
      list.push({ di, c, id: identityOf(c.fingerprint) });
    }
  });
  const labels = new Map<RunCase, string>();
  for (const list of byConfig.values()) {
    const names = variantLabels(list.map((x) => x.id));
    list.forEach((x, i) => labels.set(x.c, names[i]!));
  }
  return (_di, c) => labels.get(c) ?? '';
}

/**
 * Rates get the interval of their geometric mean, on the log scale (never a negative tok/s, asymmetric like the
 * noise of a rate); times and sizes keep the Student t interval of the mean.
 */
function withRateInterval(s: Summary | null, values: Float64Array, metric: MetricId): Summary | null {
  if (!s || !s.ci || METRICS[metric].unit !== 'tok/s' || !values.every((v) => v > 0)) return s;
  const g = geometricMeanInterval(values, s.confidence);
  return { ...s, ci: { lo: g.lo, hi: g.hi } };
}

interface GroupBuilder {
  key: string;
  descriptor: GroupDescriptor;
  datasets: Set<number>;
  threads: Set<number>;
  loads: number[];
}

/**
 * Aggregates one or more runs in two passes over the samples: assign each sample its group (through a
 * per-agent map of case ids, no per-sample allocation), then copy every metric into Float64Arrays laid out
 * group by group and summarize each group's slice by selection (no full sort). Equal descriptors from different runs merge.
 * Which samples count for a metric matches `sampleMetric` (kept in step by the report tests).
 */
export function buildReportData(datasets: readonly RunDataset[], confidence = 0.95): ReportData {
  const builders: GroupBuilder[] = [];
  const byKey = new Map<string, number>();
  const groupOf = (descriptor: GroupDescriptor, datasetIndex: number): number => {
    const key = descriptorKey(descriptor);
    let g = byKey.get(key);
    if (g === undefined) {
      g = builders.length;
      byKey.set(key, g);
      builders.push({ key, descriptor, datasets: new Set(), threads: new Set(), loads: [] });
    }
    builders[g]!.datasets.add(datasetIndex);
    return g;
  };

  const variantOf = caseVariants(datasets);
  const sampleGroups: Int32Array[] = [];
  let totalSamples = 0;
  datasets.forEach((ds, di) => {
    const agentOrder = new Map(ds.agents.map((a, i) => [a.agentId, i]));
    const cases = [...ds.cases].sort(
      (a, b) =>
        (agentOrder.get(a.agentId) ?? Infinity) - (agentOrder.get(b.agentId) ?? Infinity) ||
        a.agentId.localeCompare(b.agentId) ||
        a.benchCase.index - b.benchCase.index,
    );
    const caseGroups = new Map<string, Map<string, number>>();
    for (const c of cases) {
      const g = groupOf(describeCase(c.agentId, c.benchCase, c.fingerprint, variantOf(di, c)), di);
      let perAgent = caseGroups.get(c.agentId);
      if (!perAgent) caseGroups.set(c.agentId, (perAgent = new Map()));
      perAgent.set(c.caseId, g);
      if (c.modelLoadSeconds !== null) builders[g]!.loads.push(c.modelLoadSeconds);
    }
    const sg = new Int32Array(ds.samples.length);
    // Agents record a case's repetitions back to back, so most samples repeat the previous sample's case.
    let lastAgent: string | undefined;
    let lastCase: string | undefined;
    let lastGroup = -1;
    for (let i = 0; i < ds.samples.length; i++) {
      const s = ds.samples[i]!;
      if (s.caseId === lastCase && s.agentId === lastAgent) {
        sg[i] = lastGroup;
        continue;
      }
      let g = caseGroups.get(s.agentId)?.get(s.caseId);
      if (g === undefined) {
        g = groupOf(describeUnknownCase(s.agentId, s.caseId), di);
        let perAgent = caseGroups.get(s.agentId);
        if (!perAgent) caseGroups.set(s.agentId, (perAgent = new Map()));
        perAgent.set(s.caseId, g);
      }
      sg[i] = g;
      lastAgent = s.agentId;
      lastCase = s.caseId;
      lastGroup = g;
    }
    sampleGroups.push(sg);
    totalSamples += ds.samples.length;
  });

  const groupCount = builders.length;
  const counts = new Int32Array(groupCount);
  for (const sg of sampleGroups) for (let i = 0; i < sg.length; i++) counts[sg[i]!]!++;
  const offsets = new Int32Array(groupCount + 1);
  for (let g = 0; g < groupCount; g++) offsets[g + 1] = offsets[g]! + counts[g]!;

  // One pass over the sample objects (the expensive part: a million scattered objects) fills every metric's
  // buffer, the threads used and the highest repetition; each group's slice is then summarized in place.
  const SAMPLE_METRICS = METRIC_IDS.filter((m) => m !== 'modelLoadSeconds');
  const buffers = SAMPLE_METRICS.map(() => new Float64Array(totalSamples));
  const fills = SAMPLE_METRICS.map(() => new Int32Array(groupCount));
  const [decode, prompt, ttft, itl, itl90, itl99, vram, tpj, watts] = buffers as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const [fDecode, fPrompt, fTtft, fItl, fItl90, fItl99, fVram, fTpj, fWatts] = fills as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  const lastThreads = new Float64Array(groupCount).fill(NaN);
  const maxRepetition: number[] = [];
  for (let di = 0; di < datasets.length; di++) {
    const samples = datasets[di]!.samples;
    const sg = sampleGroups[di]!;
    let maxRep = -1;
    for (let i = 0; i < samples.length; i++) {
      const g = sg[i]!;
      const s = samples[i]!.sample;
      const base = offsets[g]!;
      if (s.generatedTokens > 1) decode[base + fDecode[g]!++] = s.decodeTokensPerSecond;
      if (s.promptTokens > 0) prompt[base + fPrompt[g]!++] = s.promptTokensPerSecond;
      if (s.ttftSeconds !== null) ttft[base + fTtft[g]!++] = s.ttftSeconds;
      const latency = s.interTokenLatency;
      if (latency !== null) {
        itl[base + fItl[g]!++] = latency.p50;
        itl90[base + fItl90[g]!++] = latency.p90;
        itl99[base + fItl99[g]!++] = latency.p99;
      }
      const memory = s.vram;
      if (memory !== null) vram[base + fVram[g]!++] = memory.peakBytes;
      if (s.energy != null) {
        // The energy metrics, read as sampleMetric reads them (NaN: no figure).
        const t = sampleMetric(s, 'decodeTokensPerJoule');
        if (!Number.isNaN(t)) tpj[base + fTpj[g]!++] = t;
        const w = sampleMetric(s, 'decodeWatts');
        if (!Number.isNaN(w)) watts[base + fWatts[g]!++] = w;
      }
      if (lastThreads[g] !== s.threads) {
        lastThreads[g] = s.threads;
        builders[g]!.threads.add(s.threads);
      }
      if (s.repetition > maxRep) maxRep = s.repetition;
    }
    maxRepetition.push(maxRep);
  }

  const summaries = builders.map(() => ({}) as Record<MetricId, Summary | null>);
  const views = builders.map(() => ({}) as Record<MetricId, Float64Array>);
  SAMPLE_METRICS.forEach((metric, mi) => {
    const buffer = buffers[mi]!;
    const fill = fills[mi]!;
    for (let g = 0; g < groupCount; g++) {
      const slice = buffer.subarray(offsets[g]!, offsets[g]! + fill[g]!);
      views[g]![metric] = slice;
      summaries[g]![metric] = withRateInterval(summarizeInPlace(slice, confidence), slice, metric);
    }
  });
  builders.forEach((b, g) => {
    const sorted = Float64Array.from(b.loads).sort();
    views[g]!.modelLoadSeconds = sorted;
    summaries[g]!.modelLoadSeconds = summarizeSorted(sorted, confidence);
  });

  const varying = varyingDimensions(builders.map((b) => b.descriptor));
  const groups: GroupStats[] = builders.map((b, g) => ({
    index: g,
    key: b.key,
    descriptor: b.descriptor,
    label: labelFor(b.descriptor, varying),
    datasetIndexes: [...b.datasets].sort((x, y) => x - y),
    threadsUsed: [...b.threads].sort((x, y) => x - y),
    n: counts[g]!,
    metrics: summaries[g]!,
    values: views[g]!,
  }));
  return { datasets, groups, varying, sampleGroups, maxRepetition, totalSamples, confidence };
}
