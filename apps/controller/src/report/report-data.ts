import { summarizeSorted, type Summary } from '@rigbench/shared';
import {
  DESCRIPTOR_DIMENSIONS,
  describeCase,
  describeUnknownCase,
  descriptorKey,
  type DescriptorDimension,
  type GroupDescriptor,
} from './group-descriptor.js';
import { METRIC_IDS, sampleMetric, type MetricId } from './report-metrics.js';
import type { RunDataset } from './run-dataset.js';

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
  /** Each metric's values, sorted ascending (views into shared buffers; do not modify). */
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
  totalSamples: number;
  confidence: number;
}

/** Label from the dimensions that vary (the model and test are always named). */
export function labelFor(d: GroupDescriptor, varying: readonly DescriptorDimension[]): string {
  const parts: string[] = [];
  for (const dim of DESCRIPTOR_DIMENSIONS) {
    if (dim !== 'model' && dim !== 'test' && !varying.includes(dim)) continue;
    const v = d[dim];
    parts.push(dim === 'devices' ? `d${v}` : dim === 'threads' ? `t=${v}` : v);
  }
  return parts.join(' ');
}

/** Descriptor dimensions with more than one distinct value. */
export function varyingDimensions(descriptors: readonly GroupDescriptor[]): DescriptorDimension[] {
  return DESCRIPTOR_DIMENSIONS.filter((dim) => new Set(descriptors.map((d) => d[dim])).size > 1);
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
 * per-agent map of case ids, no per-sample allocation), then per metric copy values into one Float64Array laid
 * out group by group, sort each group's slice and summarize it. Equal descriptors from different runs merge.
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
      const g = groupOf(describeCase(c.agentId, c.benchCase), di);
      let perAgent = caseGroups.get(c.agentId);
      if (!perAgent) caseGroups.set(c.agentId, (perAgent = new Map()));
      perAgent.set(c.caseId, g);
      if (c.modelLoadSeconds !== null) builders[g]!.loads.push(c.modelLoadSeconds);
    }
    const sg = new Int32Array(ds.samples.length);
    for (let i = 0; i < ds.samples.length; i++) {
      const s = ds.samples[i]!;
      let g = caseGroups.get(s.agentId)?.get(s.caseId);
      if (g === undefined) {
        g = groupOf(describeUnknownCase(s.agentId, s.caseId), di);
        let perAgent = caseGroups.get(s.agentId);
        if (!perAgent) caseGroups.set(s.agentId, (perAgent = new Map()));
        perAgent.set(s.caseId, g);
      }
      sg[i] = g;
    }
    sampleGroups.push(sg);
    totalSamples += ds.samples.length;
  });

  const groupCount = builders.length;
  const counts = new Int32Array(groupCount);
  for (const sg of sampleGroups) for (let i = 0; i < sg.length; i++) counts[sg[i]!]!++;
  const offsets = new Int32Array(groupCount + 1);
  for (let g = 0; g < groupCount; g++) offsets[g + 1] = offsets[g]! + counts[g]!;

  // Threads actually used: read once per (dataset, group) from the first sample seen, then any change.
  for (let di = 0; di < datasets.length; di++) {
    const samples = datasets[di]!.samples;
    const sg = sampleGroups[di]!;
    const last = new Float64Array(groupCount).fill(NaN);
    for (let i = 0; i < samples.length; i++) {
      const g = sg[i]!;
      const t = samples[i]!.sample.threads;
      if (last[g] !== t) {
        last[g] = t;
        builders[g]!.threads.add(t);
      }
    }
  }

  const summaries = builders.map(() => ({}) as Record<MetricId, Summary | null>);
  const views = builders.map(() => ({}) as Record<MetricId, Float64Array>);
  const fill = new Int32Array(groupCount);
  for (const metric of METRIC_IDS) {
    if (metric === 'modelLoadSeconds') {
      builders.forEach((b, g) => {
        const sorted = Float64Array.from(b.loads).sort();
        views[g]![metric] = sorted;
        summaries[g]![metric] = summarizeSorted(sorted, confidence);
      });
      continue;
    }
    const buffer = new Float64Array(totalSamples);
    fill.fill(0);
    for (let di = 0; di < datasets.length; di++) {
      const samples = datasets[di]!.samples;
      const sg = sampleGroups[di]!;
      for (let i = 0; i < samples.length; i++) {
        const v = sampleMetric(samples[i]!.sample, metric);
        if (v === v) {
          const g = sg[i]!;
          buffer[offsets[g]! + fill[g]!] = v;
          fill[g]!++;
        }
      }
    }
    for (let g = 0; g < groupCount; g++) {
      const slice = buffer.subarray(offsets[g]!, offsets[g]! + fill[g]!).sort();
      views[g]![metric] = slice;
      summaries[g]![metric] = summarizeSorted(slice, confidence);
    }
  }

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
  return { datasets, groups, varying, sampleGroups, totalSamples, confidence };
}
