import { roundsNeeded, withoutWarmupOutlier } from '@rigbench/shared';
import {
  DESCRIPTOR_DIMENSIONS,
  descriptorKey,
  type DescriptorDimension,
  type GroupDescriptor,
} from '../report/group-descriptor.js';
import { labelFor, varyingDimensions } from '../report/report-data.js';
import type { RunDataset } from '../report/run-dataset.js';
import {
  COMPARE_BY,
  COMPARE_METRIC_IDS,
  type CompareBy,
  type CompareMetricId,
  type CompareOptions,
  type ComparisonResult,
  type MetricComparison,
  type StratumComparison,
  type UnitComparison,
  type VariationFlag,
} from './compare-types.js';
import { fingerprintDifferences, mergeDifferences } from './fingerprint-diff.js';
import {
  fixedDimensions,
  isSettingsAxis,
  mergeCpuUnits,
  SETTINGS_AXES,
  splitSetting,
  type SettingsAxis,
} from './implied-settings.js';
import { compareMetric } from './metric-comparison.js';
import { sideGroups, type SideGroup } from './side-groups.js';

/** Raised when `compareWithin` is asked for a baseline value the run does not have. */
export class UnknownBaselineError extends Error {
  override name = 'UnknownBaselineError';
  constructor(by: string, baseline: string, valid: readonly string[], options?: ErrorOptions) {
    super(`baseline ${by} '${baseline}' is not in this run: use one of ${valid.join(', ')}`, options);
  }
}

/** Raised for a `by` dimension compareWithin does not support. */
export class UnknownCompareDimensionError extends Error {
  override name = 'UnknownCompareDimensionError';
  constructor(by: string, options?: ErrorOptions) {
    super(`cannot compare by '${by}': use one of ${COMPARE_BY.join(', ')}`, options);
  }
}

interface Resolved {
  alpha: number;
  confidence: number;
  cvThreshold: number;
  targetMargin: number;
  metrics: readonly CompareMetricId[];
  variance: 'auto' | 'pooled' | 'welch';
}

function resolve(options: CompareOptions): Resolved {
  return {
    alpha: options.alpha ?? 0.05,
    confidence: options.confidence ?? 0.95,
    cvThreshold: options.cvThreshold ?? 0.1,
    targetMargin: options.targetMargin ?? 0.05,
    metrics: options.metrics ?? COMPARE_METRIC_IDS,
    variance: options.variance ?? 'auto',
  };
}

function unitLabel(
  d: GroupDescriptor,
  varying: readonly DescriptorDimension[],
  omit: readonly DescriptorDimension[],
): string {
  const parts: string[] = [];
  for (const dim of DESCRIPTOR_DIMENSIONS) {
    if (dim === 'test' || omit.includes(dim) || (dim !== 'model' && !varying.includes(dim))) continue;
    if (dim === 'variant') {
      if (d.variant) parts.push(`[${d.variant}]`);
      continue;
    }
    parts.push(dim === 'devices' ? `d${d[dim]}` : dim === 'threads' ? `t=${d[dim]}` : d[dim]);
  }
  return parts.join(' ') || 'all';
}

interface UnitInput {
  label: string;
  heldFixed: string[];
  varying: readonly DescriptorDimension[];
  aName: string;
  bName: string;
  strata: { test: string; a: SideGroup; b: SideGroup }[];
}

function positive(values: Float64Array): Float64Array {
  let all = true;
  for (let i = 0; i < values.length; i++) if (!(values[i]! > 0)) all = false;
  return all ? values : values.filter((v) => v > 0);
}

function compareUnit(input: UnitInput, o: Resolved): UnitComparison {
  const strata: StratumComparison[] = input.strata.map((s) => ({
    test: s.test,
    aLabel: labelFor(s.a.stats.descriptor, input.varying),
    bLabel: labelFor(s.b.stats.descriptor, input.varying),
    metrics: [],
  }));
  const overall: MetricComparison[] = [];
  for (const metric of o.metrics) {
    const r = compareMetric(
      metric,
      input.strata.map((s) => ({
        x: positive(s.a.stats.values[metric]),
        y: positive(s.b.stats.values[metric]),
        xRounds: s.a.rounds[metric],
        yRounds: s.b.rounds[metric],
      })),
      { a: input.aName, b: input.bName },
      o,
    );
    if (!r) continue;
    overall.push(r.overall);
    r.strata.forEach((m, i) => {
      if (m) strata[i]!.metrics.push(m);
    });
  }
  return {
    label: input.label,
    aName: input.aName,
    bName: input.bName,
    heldFixed: input.heldFixed,
    strata,
    overall,
    fingerprintDifferences: fingerprintDifferences(
      input.strata.flatMap((s) => s.a.fingerprints),
      input.strata.flatMap((s) => s.b.fingerprints),
    ),
  };
}

/** sd of the log round means of one group's metric (a cold first repetition left out); null below 2 rounds. */
function betweenRoundSd(g: SideGroup, metric: CompareMetricId): { rounds: number; sd: number | null } {
  const means = g.rounds[metric]
    .filter((r) => r.values.length > 0)
    .map((r) => {
      const { logs } = withoutWarmupOutlier(r.values);
      return logs.reduce((a, b) => a + b, 0) / logs.length;
    });
  if (means.length < 2) return { rounds: means.length, sd: null };
  const m = means.reduce((a, b) => a + b, 0) / means.length;
  return {
    rounds: means.length,
    sd: Math.sqrt(means.reduce((a, v) => a + (v - m) ** 2, 0) / (means.length - 1)),
  };
}

function variationFlags(
  sides: { side: 'A' | 'B'; name: string; groups: SideGroup[] }[],
  varying: readonly DescriptorDimension[],
  o: Resolved,
): VariationFlag[] {
  const flags: VariationFlag[] = [];
  for (const { side, name, groups } of sides) {
    const seen = new Set<number>();
    for (const sg of groups) {
      const g = sg.stats;
      if (seen.has(g.index)) continue;
      seen.add(g.index);
      for (const metric of o.metrics) {
        const s = g.metrics[metric];
        if (!s || s.cv === null || !(s.cv > o.cvThreshold)) continue;
        const between = betweenRoundSd(sg, metric);
        flags.push({
          side,
          sideName: name,
          group: labelFor(g.descriptor, varying),
          metric,
          n: s.n,
          cv: s.cv,
          rounds: between.rounds,
          betweenRoundSd: between.sd,
          roundsNeeded: between.sd === null ? null : roundsNeeded(between.sd, Math.log1p(o.targetMargin)),
        });
      }
    }
  }
  return flags;
}

function finish(
  kind: 'runs' | 'within',
  title: string,
  by: CompareBy | null,
  units: UnitComparison[],
  unmatched: ComparisonResult['unmatched'],
  variation: VariationFlag[],
  o: Resolved,
): ComparisonResult {
  return {
    kind,
    title,
    by,
    alpha: o.alpha,
    confidence: o.confidence,
    cvThreshold: o.cvThreshold,
    targetMargin: o.targetMargin,
    units,
    unmatched,
    variation,
    fingerprintDifferences: mergeDifferences(units.map((u) => u.fingerprintDifferences)),
  };
}

const runName = (ds: RunDataset): string => ds.run.label ?? ds.run.runId;

/**
 * Compares run B against run A (the baseline): groups are matched on every descriptor dimension except
 * `options.ignore`; all tests a configuration has on both sides form one unit, compared per test and overall.
 */
export function compareRuns(a: RunDataset, b: RunDataset, options: CompareOptions = {}): ComparisonResult {
  const o = resolve(options);
  const ignore = [...(options.ignore ?? [])] as DescriptorDimension[];
  let aName = runName(a);
  let bName = runName(b);
  if (aName === bName) [aName, bName] = [a.run.runId, b.run.runId];
  const ga = sideGroups(a, o.confidence);
  const gb = sideGroups(b, o.confidence);
  const varying = varyingDimensions([...ga, ...gb].map((g) => g.stats.descriptor));
  const index = (groups: SideGroup[]): Map<string, Map<string, SideGroup>> => {
    const out = new Map<string, Map<string, SideGroup>>();
    for (const g of groups) {
      const unit = descriptorKey(g.stats.descriptor, [...ignore, 'test']);
      const tests = out.get(unit) ?? new Map<string, SideGroup>();
      tests.set(g.stats.descriptor.test, g);
      out.set(unit, tests);
    }
    return out;
  };
  const ia = index(ga);
  const ib = index(gb);
  const units: UnitComparison[] = [];
  const unmatched: ComparisonResult['unmatched'] = [];
  const matchedA: SideGroup[] = [];
  const matchedB: SideGroup[] = [];
  for (const [unit, testsA] of ia) {
    const testsB = ib.get(unit);
    const strata: UnitInput['strata'] = [];
    for (const [test, ag] of testsA) {
      const bg = testsB?.get(test);
      if (!bg) {
        unmatched.push({ side: 'A', group: labelFor(ag.stats.descriptor, varying) });
        continue;
      }
      strata.push({ test, a: ag, b: bg });
      matchedA.push(ag);
      matchedB.push(bg);
    }
    if (strata.length > 0) {
      const label = unitLabel(strata[0]!.a.stats.descriptor, varying, ignore);
      const heldFixed = fixedDimensions(strata[0]!.a.stats.descriptor, strata[0]!.b.stats.descriptor, ignore);
      units.push(compareUnit({ label, heldFixed, varying, aName, bName, strata }, o));
    }
  }
  for (const [unit, testsB] of ib) {
    for (const [test, bg] of testsB)
      if (!ia.get(unit)?.has(test))
        unmatched.push({ side: 'B', group: labelFor(bg.stats.descriptor, varying) });
  }
  const variation = variationFlags(
    [
      { side: 'A', name: aName, groups: matchedA },
      { side: 'B', name: bName, groups: matchedB },
    ],
    varying,
    o,
  );
  const title = `A = ${a.run.runId}${a.run.label ? ` (${a.run.label})` : ''}, B = ${b.run.runId}${b.run.label ? ` (${b.run.label})` : ''}`;
  return finish('runs', title, null, units, unmatched, variation, o);
}

/**
 * Compares the values of one dimension inside a run (e.g. every backend against the first): groups that agree on
 * everything else are matched; each non-baseline value is B against the baseline A.
 */
export function compareWithin(
  run: RunDataset,
  by: CompareBy,
  options: CompareOptions = {},
): ComparisonResult {
  if (!COMPARE_BY.includes(by)) throw new UnknownCompareDimensionError(String(by));
  const o = resolve(options);
  // Settings axes (gpuLayers, contextSize, …) are tokens of the descriptor's `settings`; the others dimensions.
  const setting = isSettingsAxis(by) ? by : null;
  const dim: DescriptorDimension = setting
    ? 'settings'
    : by === 'agent'
      ? 'agentId'
      : (by as DescriptorDimension);
  const valueOf = (d: GroupDescriptor): string => (setting ? splitSetting(d, setting).value : d[dim]);
  const unitKeyOf = (d: GroupDescriptor): string =>
    setting ? descriptorKey(splitSetting(d, setting).rest, ['test']) : descriptorKey(d, [dim, 'test']);
  const compared: (DescriptorDimension | SettingsAxis)[] = [setting ?? dim];
  const groups = sideGroups(run, o.confidence);
  const varying = varyingDimensions(groups.map((g) => g.stats.descriptor));
  const values: string[] = [];
  for (const g of groups)
    if (!values.includes(valueOf(g.stats.descriptor))) values.push(valueOf(g.stats.descriptor));
  // A settings axis' baseline may be given as its value alone (`--by contextSize --baseline 4096`).
  const given = options.baseline;
  const baseline =
    given === undefined
      ? values[0]
      : setting && !given.includes('=')
        ? `${SETTINGS_AXES[setting]}${given}`
        : given;
  if (baseline === undefined) return finish('within', `${run.run.runId} by ${by}`, by, [], [], [], o);
  if (!values.includes(baseline)) throw new UnknownBaselineError(by, baseline, values);

  // unit key → value → test → group
  const units = new Map<string, Map<string, Map<string, SideGroup>>>();
  for (const g of groups) {
    const unit = unitKeyOf(g.stats.descriptor);
    const byValue = units.get(unit) ?? new Map<string, Map<string, SideGroup>>();
    const tests = byValue.get(valueOf(g.stats.descriptor)) ?? new Map<string, SideGroup>();
    tests.set(g.stats.descriptor.test, g);
    byValue.set(valueOf(g.stats.descriptor), tests);
    units.set(unit, byValue);
  }
  // Devices and GPU layers that differ only because the CPU backend implies them do not name units.
  const labelVarying =
    by === 'backend'
      ? varyingDimensions(
          groups.filter((g) => g.stats.descriptor.backend !== 'cpu').map((g) => g.stats.descriptor),
        ).filter((d) => d !== 'backend')
      : varying;
  if (by === 'backend') mergeCpuUnits(units);
  const out: UnitComparison[] = [];
  const sides = new Map<string, SideGroup[]>();
  const remember = (name: string, g: SideGroup): void => {
    const list = sides.get(name) ?? [];
    list.push(g);
    sides.set(name, list);
  };
  const unmatched: ComparisonResult['unmatched'] = [];
  for (const byValue of units.values()) {
    const base = byValue.get(baseline);
    for (const value of values) {
      if (value === baseline) continue;
      const other = byValue.get(value);
      if (!other) continue;
      if (!base) {
        for (const g of other.values()) unmatched.push({ side: 'B', group: g.stats.label });
        continue;
      }
      const strata: UnitInput['strata'] = [];
      for (const [test, ag] of base) {
        const bg = other.get(test);
        if (!bg) continue;
        strata.push({ test, a: ag, b: bg });
        remember(baseline, ag);
        remember(value, bg);
      }
      if (strata.length === 0) continue;
      const label = unitLabel(strata[0]!.a.stats.descriptor, labelVarying, [dim]);
      const heldFixed = fixedDimensions(
        strata[0]!.a.stats.descriptor,
        strata[0]!.b.stats.descriptor,
        compared,
      );
      out.push(compareUnit({ label, heldFixed, varying, aName: baseline, bName: value, strata }, o));
    }
  }
  const variation = variationFlags(
    [...sides].map(([name, gs]) => ({
      side: name === baseline ? ('A' as const) : ('B' as const),
      name,
      groups: gs,
    })),
    varying,
    o,
  );
  const title = `${run.run.runId}${run.run.label ? ` (${run.run.label})` : ''} by ${by}, A = ${baseline}`;
  return finish('within', title, by, out, unmatched, variation, o);
}

/** Dimensions that can be passed to `ignore` (all but the test). */
export const IGNORABLE_DIMENSIONS = DESCRIPTOR_DIMENSIONS.filter((d) => d !== 'test');
