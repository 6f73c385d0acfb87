import type { Fingerprint, RoundSample } from '@rigbench/shared';
import { roundKey } from '../answers/round-cells.js';
import { describeCase, descriptorKey } from '../report/group-descriptor.js';
import { buildReportData, caseVariants, type GroupStats } from '../report/report-data.js';
import { sampleMetric } from '../report/report-metrics.js';
import type { RunDataset } from '../report/run-dataset.js';
import { COMPARE_METRIC_IDS, type CompareMetricId } from './compare-types.js';

/** A group with the fingerprints of the cases behind it, and its values split by round. */
export interface SideGroup {
  stats: GroupStats;
  fingerprints: (Fingerprint | null)[];
  rounds: Record<CompareMetricId, RoundSample[]>;
}

/** The groups of one run with samples, their fingerprints and their values per round. */
export function sideGroups(ds: RunDataset, confidence: number): SideGroup[] {
  const data = buildReportData([ds], confidence);
  const variantOf = caseVariants([ds]);
  const fps = new Map<string, (Fingerprint | null)[]>();
  const caseAt = new Map<string, { key: string; round: string }>();
  for (const c of ds.cases) {
    const key = descriptorKey(describeCase(c.agentId, c.benchCase, c.fingerprint, variantOf(0, c)));
    const list = fps.get(key) ?? [];
    list.push(c.fingerprint);
    fps.set(key, list);
    caseAt.set(`${c.agentId}\u0000${c.caseId}`, { key, round: roundKey(ds, c) });
  }
  // group key → metric → round → values, in the order the samples came.
  const rounds = new Map<string, Map<CompareMetricId, Map<string, number[]>>>();
  for (const s of ds.samples) {
    const at = caseAt.get(`${s.agentId}\u0000${s.caseId}`);
    if (!at) continue;
    let perMetric = rounds.get(at.key);
    if (!perMetric) rounds.set(at.key, (perMetric = new Map()));
    for (const metric of COMPARE_METRIC_IDS) {
      const v = sampleMetric(s.sample, metric);
      if (!(v > 0)) continue;
      let perRound = perMetric.get(metric);
      if (!perRound) perMetric.set(metric, (perRound = new Map()));
      const list = perRound.get(at.round) ?? [];
      list.push(v);
      perRound.set(at.round, list);
    }
  }
  const roundsOf = (key: string): Record<CompareMetricId, RoundSample[]> =>
    Object.fromEntries(
      COMPARE_METRIC_IDS.map((m) => [
        m,
        [...(rounds.get(key)?.get(m) ?? new Map<string, number[]>())].map(([round, values]) => ({
          round,
          values,
        })),
      ]),
    ) as unknown as Record<CompareMetricId, RoundSample[]>;
  return data.groups
    .filter((g) => g.n > 0)
    .map((stats) => ({ stats, fingerprints: fps.get(stats.key) ?? [], rounds: roundsOf(stats.key) }));
}
