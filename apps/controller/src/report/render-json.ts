import type { Summary } from '@rigbench/shared';
import type { FingerprintSummary } from './fingerprint-summary.js';
import { stable } from './number-format.js';
import type { ReportData } from './report-data.js';
import { METRIC_IDS, METRICS } from './report-metrics.js';

/** Version of the JSON report layout. */
export const REPORT_JSON_VERSION = 1;

function summaryJson(s: Summary | null): unknown {
  if (!s) return null;
  return {
    n: s.n,
    mean: stable(s.mean),
    sd: stable(s.sd),
    min: stable(s.min),
    median: stable(s.median),
    p90: stable(s.p90),
    p99: stable(s.p99),
    max: stable(s.max),
    cv: stable(s.cv),
    ci: s.ci ? { lo: stable(s.ci.lo), hi: stable(s.ci.hi), confidence: s.confidence } : null,
  };
}

/**
 * JSON report: `runs` (run, agents, cases with outcome, reason and fingerprint), `groups` (descriptor and a
 * summary per metric, base units, summaries to 9 significant digits) and, unless left out, `samples`: every raw
 * sample with its run, agent and group index, exactly as stored.
 */
export function renderJson(
  data: ReportData,
  fingerprints: FingerprintSummary,
  title: string,
  rawSamples: boolean,
): string {
  const units = Object.fromEntries(METRIC_IDS.map((m) => [m, METRICS[m].unit]));
  const head = {
    format: 'rigbench.report',
    version: REPORT_JSON_VERSION,
    title,
    confidence: data.confidence,
    percentileMethod: 'linear interpolation (Hyndman & Fan type 7)',
    units,
    runs: data.datasets.map((ds) => ({
      ...ds.run,
      agents: ds.agents,
      cases: ds.cases.map((c) => ({
        agentId: c.agentId,
        caseId: c.caseId,
        outcome: c.outcome,
        reason: c.reason,
        modelLoadSeconds: c.modelLoadSeconds,
        benchCase: c.benchCase,
        fingerprint: c.fingerprint,
      })),
    })),
    groups: data.groups.map((g) => ({
      index: g.index,
      label: g.label,
      ...g.descriptor,
      runs: g.datasetIndexes.map((i) => data.datasets[i]!.run.runId),
      threadsUsed: g.threadsUsed,
      n: g.n,
      metrics: Object.fromEntries(METRIC_IDS.map((m) => [m, summaryJson(g.metrics[m])])),
    })),
    fingerprints,
  };
  const headText = JSON.stringify(head, null, 2);
  if (!rawSamples) return `${headText}\n`;
  // Samples, one per line, joined by hand: a single JSON.stringify of a million-sample tree would be slower
  // and would hold the whole intermediate object graph at once.
  const lines: string[] = [];
  data.datasets.forEach((ds, di) => {
    const sg = data.sampleGroups[di]!;
    ds.samples.forEach((s, i) => {
      lines.push(
        `    ${JSON.stringify({ runId: ds.run.runId, agentId: s.agentId, group: sg[i], ...s.sample })}`,
      );
    });
  });
  return `${headText.slice(0, -2)},\n  "samples": [\n${lines.join(',\n')}\n  ]\n}\n`;
}
