import { stable } from './number-format.js';
import type { ReportData } from './report-data.js';
import { METRIC_IDS, METRICS } from './report-metrics.js';

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
function field(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const line = (values: (string | number | null)[]): string => values.map(field).join(',') + '\n';

/**
 * CSV in base units (seconds, bytes, tokens per second).
 * `groups`: one row per group and metric: `agent,model,backend,devices,threads,settings,test,runs,metric,unit,
 * n,mean,sd,min,median,p90,p99,max,ci_lo,ci_hi,cv,what_changed` (cv as a fraction; empty where undefined; for
 * rates the interval is the geometric mean's, on the log scale; what_changed names a fingerprint split).
 * `samples`: one row per sample with every measured field.
 */
export function* renderCsvChunks(data: ReportData, rows: 'groups' | 'samples'): Generator<string> {
  if (rows === 'groups') yield groupRows(data);
  else yield* sampleRows(data);
}

/** Sample rows per chunk. */
const ROWS_PER_CHUNK = 10_000;

function groupRows(data: ReportData): string {
  let out = line([
    'agent', 'model', 'backend', 'devices', 'threads', 'settings', 'test', 'runs', 'metric', 'unit',
    'n', 'mean', 'sd', 'min', 'median', 'p90', 'p99', 'max', 'ci_lo', 'ci_hi', 'cv', 'what_changed',
  ]); // prettier-ignore
  for (const g of data.groups) {
    const d = g.descriptor;
    const runs = g.datasetIndexes.map((i) => data.datasets[i]!.run.runId).join(' ');
    for (const m of METRIC_IDS) {
      const s = g.metrics[m];
      if (!s) continue;
      out += line([
        d.agentId, d.model, d.backend, d.devices, d.threads, d.settings, d.test, runs, m, METRICS[m].unit,
        s.n, stable(s.mean), stable(s.sd), stable(s.min), stable(s.median), stable(s.p90), stable(s.p99),
        stable(s.max), stable(s.ci?.lo), stable(s.ci?.hi), stable(s.cv), d.variant,
      ]); // prettier-ignore
    }
  }
  return out;
}

function* sampleRows(data: ReportData): Generator<string> {
  yield line([
    'run', 'run_label', 'agent', 'case', 'model', 'backend', 'devices', 'threads', 'settings', 'test',
    'repetition', 'mode', 'started_at', 'model_load_s', 'prompt_tokens', 'prompt_s', 'prompt_tps', 'ttft_s',
    'generated_tokens', 'decode_s', 'decode_tps', 'itl_p50_s', 'itl_p90_s', 'itl_p99_s', 'end_to_end_s',
    'vram_before_bytes', 'vram_peak_bytes', 'vram_after_bytes', 'worker_peak_rss_bytes', 'threads_used',
    'batch_size', 'finish_reason', 'what_changed',
  ]); // prettier-ignore
  let parts: string[] = [];
  for (let di = 0; di < data.datasets.length; di++) {
    const ds = data.datasets[di]!;
    const sg = data.sampleGroups[di]!;
    for (let i = 0; i < ds.samples.length; i++) {
      const rs = ds.samples[i]!;
      const d = data.groups[sg[i]!]!.descriptor;
      const s = rs.sample;
      parts.push(
        line([
          ds.run.runId, ds.run.label, rs.agentId, rs.caseId, d.model, d.backend, d.devices, d.threads, d.settings,
          d.test, s.repetition, s.mode, s.startedAt, s.modelLoadSeconds, s.promptTokens, s.promptSeconds,
          s.promptTokensPerSecond, s.ttftSeconds, s.generatedTokens, s.decodeSeconds, s.decodeTokensPerSecond,
          s.interTokenLatency?.p50 ?? null, s.interTokenLatency?.p90 ?? null, s.interTokenLatency?.p99 ?? null,
          s.endToEndSeconds, s.vram?.beforeBytes ?? null, s.vram?.peakBytes ?? null, s.vram?.afterBytes ?? null,
          s.workerPeakRssBytes, s.threads, s.batchSize, s.finishReason, d.variant,
        ]), // prettier-ignore
      );
      if (parts.length === ROWS_PER_CHUNK) {
        yield parts.join('');
        parts = [];
      }
    }
  }
  if (parts.length > 0) yield parts.join('');
}
