import type { Summary } from '@rigbench/shared';
import type { Answer } from '../answers/build-answers.js';
import { loadJson, loadReportLevels, loadSweeps, saturationLines } from '../load-report/index.js';
import { answersJson } from '../answers/render-answers.js';
import type { FingerprintSummary } from './fingerprint-summary.js';
import { stable } from './number-format.js';
import type { ReportData } from './report-data.js';
import { METRIC_IDS, METRICS } from './report-metrics.js';

/** Version of the JSON report layout. */
export const REPORT_JSON_VERSION = 2;

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

function loadKey(data: ReportData): { load?: unknown; loadSaturation?: string[] } {
  const levels = loadReportLevels(data.datasets);
  if (levels.length === 0) return {};
  const saturation = saturationLines(loadSweeps(levels, data.datasets.length > 1));
  return { load: loadJson(levels), ...(saturation.length > 0 ? { loadSaturation: saturation } : {}) };
}

/** Samples per chunk when the report is produced piece by piece. */
const SAMPLES_PER_CHUNK = 10_000;

/**
 * JSON report: `answers` (the verdicts, see buildAnswers; version 2 adds them and each group's `variant`), `runs` (run, agents, cases with outcome, reason and fingerprint), `groups` (descriptor and a
 * summary per metric, base units, summaries to 9 significant digits) and, unless left out, `samples`: every raw
 * sample with its run, agent and group index, exactly as stored. Produced in chunks (the samples of a big run
 * do not fit one JavaScript string); the chunks joined are one JSON document.
 */
export function* renderJsonChunks(
  data: ReportData,
  answers: readonly Answer[],
  fingerprints: FingerprintSummary,
  title: string,
  rawSamples: boolean,
): Generator<string> {
  const units = Object.fromEntries(METRIC_IDS.map((m) => [m, METRICS[m].unit]));
  const head = {
    format: 'rigbench.report',
    version: REPORT_JSON_VERSION,
    title,
    confidence: data.confidence,
    percentileMethod: 'linear interpolation (Hyndman & Fan type 7)',
    units,
    answers: answersJson(answers),
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
    // Serving-load levels (plan `load` tests), only when the runs have some.
    ...loadKey(data),
  };
  const headText = JSON.stringify(head, null, 2);
  if (!rawSamples) {
    yield `${headText}\n`;
    return;
  }
  yield `${headText.slice(0, -2)},\n  "samples": [`;
  // One sample per line, stringified one at a time: a single JSON.stringify of a million-sample tree would
  // hold the whole intermediate graph and overflow the string limit.
  let first = true;
  let lines: string[] = [];
  for (let di = 0; di < data.datasets.length; di++) {
    const ds = data.datasets[di]!;
    const sg = data.sampleGroups[di]!;
    for (let i = 0; i < ds.samples.length; i++) {
      const s = ds.samples[i]!;
      lines.push(
        `${first ? '\n' : ',\n'}    ${JSON.stringify({ runId: ds.run.runId, agentId: s.agentId, group: sg[i], ...s.sample })}`,
      );
      first = false;
      if (lines.length === SAMPLES_PER_CHUNK) {
        yield lines.join('');
        lines = [];
      }
    }
  }
  if (lines.length > 0) yield lines.join('');
  yield '\n  ]\n}\n';
}
