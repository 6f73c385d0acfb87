import { detectChangePoints, tQuantile, type Fingerprint } from '@rigbench/shared';
import type { FingerprintDifference } from '../compare/compare-types.js';
import { fingerprintDifferences } from '../compare/fingerprint-diff.js';
import {
  describeCase,
  describeUnknownCase,
  descriptorKey,
  descriptorLabel,
  type GroupDescriptor,
} from '../report/group-descriptor.js';
import type { RunDataset } from '../report/run-dataset.js';
import { percent } from '../report/number-format.js';
import { describeDifference } from './trend-text.js';
import { TREND_METRICS } from './trend-metrics.js';
import {
  type TrendGroup,
  type TrendOptions,
  type TrendPoint,
  type TrendResult,
  type TrendRun,
  type TrendStep,
} from './trend-types.js';

/** Fingerprint fields that change every run without changing what is measured. */
const VOLATILE_FIELDS = [/^gpus\[\d+\]\.vramUsedBytes$/];

interface GroupAccumulator {
  descriptor: GroupDescriptor;
  /** Per run index: values and fingerprints. */
  values: number[][];
  fingerprints: (Fingerprint | null)[][];
}

function differences(a: (Fingerprint | null)[], b: (Fingerprint | null)[]): FingerprintDifference[] {
  return fingerprintDifferences(a, b).filter((d) => !VOLATILE_FIELDS.some((re) => re.test(d.field)));
}

function pointCi(values: readonly number[], confidence: number): TrendPoint['ci'] {
  if (values.length < 2) return null;
  const logs = values.map(Math.log);
  const m = logs.reduce((s, v) => s + v, 0) / logs.length;
  const sd = Math.sqrt(logs.reduce((s, v) => s + (v - m) ** 2, 0) / (logs.length - 1));
  const half = (tQuantile(1 - (1 - confidence) / 2, logs.length - 1) * sd) / Math.sqrt(logs.length);
  return { lo: Math.exp(m - half), hi: Math.exp(m + half) };
}

/** Pooled within-run variance of the logs over every (group, run) of one agent. */
function pooledWithinByAgent(
  groups: readonly GroupAccumulator[],
): Map<string, { variance: number; df: number }> {
  const sums = new Map<string, { ss: number; df: number }>();
  for (const g of groups) {
    const s = sums.get(g.descriptor.agentId) ?? { ss: 0, df: 0 };
    for (const values of g.values) {
      if (values.length < 2) continue;
      const logs = values.map(Math.log);
      const m = logs.reduce((a, v) => a + v, 0) / logs.length;
      s.ss += logs.reduce((a, v) => a + (v - m) ** 2, 0);
      s.df += logs.length - 1;
    }
    sums.set(g.descriptor.agentId, s);
  }
  return new Map([...sums].map(([agent, s]) => [agent, { variance: s.df > 0 ? s.ss / s.df : 0, df: s.df }]));
}

function stepText(
  metricLabel: string,
  step: Omit<TrendStep, 'text'>,
  confidence: number,
  runName: string,
): string {
  const change = step.ratio - 1;
  const verb = change >= 0 ? 'rose' : 'fell';
  const signed = (r: number): string => `${r >= 1 ? '+' : '−'}${percent(Math.abs(r - 1))}`;
  const ci = `${Math.round(confidence * 100)}% CI ${signed(step.ci.lo)}..${signed(step.ci.hi)}`;
  const cause =
    step.fingerprintChanges.length > 0
      ? `fingerprint changed: ${step.fingerprintChanges.map(describeDifference).join(', ')}`
      : 'no fingerprint field changed (load, thermals or something rigbench does not record)';
  return `${metricLabel} ${verb} ${percent(Math.abs(change))} (${ci}, ${step.better ? 'better' : 'worse'}) at run ${runName}; ${cause}`;
}

/**
 * Each group's figure per run over time, the runs where its fingerprint changed, and the change points of its
 * level (see `detectChangePoints` in @rigbench/shared for the statistics). `datasets` may come in any order;
 * they are sorted by start time.
 */
export function buildTrend(datasets: readonly RunDataset[], options: TrendOptions = {}): TrendResult {
  const info = TREND_METRICS[options.metric ?? 'decode'];
  const alpha = options.alpha ?? 0.05;
  const minRelativeStep = options.minRelativeStep ?? 0.02;
  const confidence = options.confidence ?? 0.95;
  const sorted = [...datasets].sort(
    (a, b) => a.run.startedAt.localeCompare(b.run.startedAt) || a.run.runId.localeCompare(b.run.runId),
  );
  const runs: TrendRun[] = sorted.map((d) => ({
    runId: d.run.runId,
    label: d.run.label,
    startedAt: d.run.startedAt,
    planName: d.run.planName,
  }));

  const groups = new Map<string, GroupAccumulator>();
  const groupOf = (descriptor: GroupDescriptor): GroupAccumulator => {
    const key = descriptorKey(descriptor);
    let g = groups.get(key);
    if (!g) {
      g = {
        descriptor,
        values: runs.map(() => []),
        fingerprints: runs.map(() => []),
      };
      groups.set(key, g);
    }
    return g;
  };
  sorted.forEach((ds, r) => {
    const descriptors = new Map<string, GroupDescriptor>();
    for (const c of ds.cases) {
      const d = describeCase(c.agentId, c.benchCase, c.fingerprint);
      descriptors.set(`${c.agentId}\u0000${c.caseId}`, d);
      if (c.fingerprint) groupOf(d).fingerprints[r]!.push(c.fingerprint);
    }
    for (const s of ds.samples) {
      const value = info.value(s.sample);
      if (!(value > 0) || !Number.isFinite(value)) continue;
      const d = descriptors.get(`${s.agentId}\u0000${s.caseId}`) ?? describeUnknownCase(s.agentId, s.caseId);
      groupOf(d).values[r]!.push(value);
    }
  });

  const filters = (options.groups ?? []).map((g) => g.toLowerCase());
  const kept = [...groups.entries()]
    .map(([key, g]) => ({ key, g, label: descriptorLabel(g.descriptor) }))
    .filter((x) => x.g.values.some((v) => v.length > 0))
    .filter((x) => filters.every((f) => x.label.toLowerCase().includes(f)));
  const labelCounts = new Map<string, number>();
  kept.forEach((x) => labelCounts.set(x.label, (labelCounts.get(x.label) ?? 0) + 1));
  const withinByAgent = pooledWithinByAgent(kept.map((x) => x.g));

  const trendGroups: TrendGroup[] = kept.map(({ key, g, label: baseLabel }) => {
    const label = (labelCounts.get(baseLabel) ?? 0) > 1 ? `${baseLabel} ${g.descriptor.settings}` : baseLabel;
    let previousFps: (Fingerprint | null)[] | null = null;
    const points: TrendPoint[] = runs.map((run, r) => {
      const values = g.values[r]!;
      const fps = g.fingerprints[r]!;
      const changes = previousFps && fps.length > 0 ? differences(previousFps, fps) : [];
      if (fps.length > 0) previousFps = fps;
      const logMean = values.reduce((s, v) => s + Math.log(v), 0) / values.length;
      return {
        runId: run.runId,
        label: run.label,
        startedAt: run.startedAt,
        n: values.length,
        level: values.length > 0 ? Math.exp(logMean) : null,
        ci: pointCi(values, confidence),
        fingerprintChanges: changes,
      };
    });
    const within = withinByAgent.get(g.descriptor.agentId);
    const cp = detectChangePoints(g.values, {
      alpha,
      minRelativeStep,
      confidence,
      ...(within && within.df > 0 ? { withinVariance: within } : {}),
    });
    const steps: TrendStep[] = cp.changePoints.map((c) => {
      const run = runs[c.index]!;
      const base = {
        runId: run.runId,
        label: run.label,
        startedAt: run.startedAt,
        ratio: c.ratio,
        ci: c.ci,
        before: c.before,
        after: c.after,
        better: info.better === 'higher' ? c.ratio > 1 : c.ratio < 1,
        fingerprintChanges: points[c.index]!.fingerprintChanges,
      };
      const runName = run.label ? `${run.runId} (${run.label})` : run.runId;
      return { ...base, text: stepText(info.label, base, confidence, runName) };
    });
    // Segments as run ids; a segment's ends are its first and last runs with values.
    const segments = cp.segments.map((s) => {
      const inside = points.slice(s.start, s.end).filter((p) => p.n > 0);
      return { fromRunId: inside[0]!.runId, toRunId: inside.at(-1)!.runId, level: s.level };
    });
    return {
      key,
      label,
      descriptor: g.descriptor,
      points,
      steps,
      segments,
      penalty: cp.penalty,
      withinSd: cp.withinSd,
      betweenSd: cp.betweenSd,
      betweenEstimated: cp.betweenEstimated,
    };
  });
  trendGroups.sort((a, b) => a.label.localeCompare(b.label));
  return {
    metric: info.id,
    metricLabel: info.label,
    unit: info.unit,
    displayFactor: info.displayFactor,
    digits: info.digits,
    better: info.better,
    alpha,
    minRelativeStep,
    confidence,
    runs,
    groups: trendGroups,
    notes: info.energy ? energyNotes(sorted, trendGroups.length) : [],
    skipped: [],
  };
}

/** Why energy figures are missing: each agent's unavailable power sources, as its fingerprints record them. */
function energyNotes(datasets: readonly RunDataset[], groupsWithValues: number): string[] {
  const reasons = new Map<string, Set<string>>();
  let unrecorded = 0;
  for (const ds of datasets)
    for (const c of ds.cases) {
      if (!c.fingerprint) continue;
      const sources = c.fingerprint.energySources;
      if (!sources) {
        unrecorded++;
        continue;
      }
      const set = reasons.get(c.agentId) ?? new Set<string>();
      if (sources.gpuUnavailable) set.add(`GPU: ${sources.gpuUnavailable}`);
      if (sources.cpuUnavailable) set.add(`CPU: ${sources.cpuUnavailable}`);
      reasons.set(c.agentId, set);
    }
  const notes = [...reasons]
    .filter(([, set]) => set.size > 0)
    .map(([agent, set]) => `${agent} measured no power from ${[...set].join('; ')}`);
  if (unrecorded > 0)
    notes.push(`${unrecorded} case(s) were recorded by an agent that did not measure energy yet`);
  if (groupsWithValues === 0 && notes.length === 0) notes.push('no sample in these runs has energy figures');
  return notes;
}
