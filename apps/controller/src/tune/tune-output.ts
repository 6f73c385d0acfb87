import { stringify } from 'yaml';
import type { TuneCandidate } from './tune-candidates.js';
import type { TuneWorkload } from './tune-plan.js';
import { TUNE_METRICS, type RankedCandidate, type TuneDecision, type TuneMetric } from './tune-search.js';

/** Everything a finished tune knows. */
export interface TuneResult {
  agentId: string;
  workload: TuneWorkload;
  candidates: TuneCandidate[];
  decision: TuneDecision;
  rounds: number;
  runIds: string[];
  /** Percent. */
  tolerance: number;
  /** Candidates whose cases failed or were skipped, with the agent's reason. */
  failures: { key: string; reason: string }[];
}

const METRIC_NAME: Record<TuneMetric, (w: TuneWorkload) => string> = {
  decode: (w) => `decode (tg${w.generatedTokens})`,
  prompt: (w) => `prompt processing (pp${w.promptTokens})`,
};

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ciText = (r: RankedCandidate): string => (r.ci ? `${fmt(r.ci.lo)}…${fmt(r.ci.hi)}` : 'n/a');

function candidate(result: TuneResult, key: string | undefined): TuneCandidate | undefined {
  return result.candidates.find((c) => c.key === key);
}

/** The best candidate per metric (the leader of its ranking). */
export function tuneWinners(result: TuneResult): Record<TuneMetric, TuneCandidate | undefined> {
  return {
    decode: candidate(result, result.decision.rankings.decode[0]?.key),
    prompt: candidate(result, result.decision.rankings.prompt[0]?.key),
  };
}

/** Human lines: the answer first, then the ranking per metric. */
export function renderTuneResult(result: TuneResult): string[] {
  const { workload: w, decision } = result;
  const lines = [
    `tune ${w.model} on ${result.agentId} (${w.backend}): ${result.candidates.length} candidates, ` +
      `${result.rounds} round${result.rounds === 1 ? '' : 's'}, runs ${result.runIds.join(' ')}`,
  ];
  for (const metric of TUNE_METRICS) {
    const ranking = decision.rankings[metric];
    const best = ranking[0];
    if (!best) {
      lines.push(`${METRIC_NAME[metric](w)}: no samples`);
      continue;
    }
    const second = ranking[1];
    const margin = second
      ? `, ${((1 / second.relative - 1) * 100).toFixed(1)}% ahead of ${second.key}` +
        (second.ci && best.ci && second.ci.hi < best.ci.lo ? ' (CIs separate)' : ' (CIs overlap)')
      : '';
    lines.push(
      `${METRIC_NAME[metric](w)}: best ${best.key} at ${fmt(best.geomean)} t/s (95% CI ${ciText(best)})${margin}`,
    );
  }
  lines.push(
    decision.settled
      ? `settled: the candidates left are separated or within ${result.tolerance}% of the best`
      : `not settled after ${result.rounds} rounds: ${decision.open.join(', ')} are still open; ` +
          `run again with --max-rounds ${result.rounds + 1} or more --repetitions`,
  );
  for (const f of result.failures) lines.push(`could not measure ${f.key}: ${f.reason}`);
  const winners = tuneWinners(result);
  lines.push(
    `threads 'auto' for this node: decode ${winners.decode?.threads ?? '?'}, prompt ${winners.prompt?.threads ?? '?'}` +
      ' (write them with --defaults-out)',
  );
  for (const metric of TUNE_METRICS) {
    lines.push('', `${METRIC_NAME[metric](w)}, t/s, best first:`);
    lines.push(`  ${'candidate'.padEnd(34)} ${'t/s'.padStart(8)}  ${'95% CI'.padEnd(17)} vs best  n`);
    for (const r of decision.rankings[metric])
      lines.push(
        `  ${r.key.padEnd(34)} ${fmt(r.geomean).padStart(8)}  ${ciText(r).padEnd(17)} ` +
          `${`${((r.relative - 1) * 100).toFixed(1)}%`.padStart(7)}  ${r.n}`,
      );
  }
  return lines;
}

/** A plan `matrix:` fragment with the best settings (decode's threads, flash attention and KV type; prompt's batch). */
export function tunePlanFragmentYaml(result: TuneResult): string {
  const { decode, prompt } = tuneWinners(result);
  const best = decode ?? prompt;
  const header =
    `# rigbench tune: best settings for ${result.workload.model} on ${result.agentId} ` +
    `(${result.workload.backend}), runs ${result.runIds.join(' ')}\n`;
  return (
    header +
    stringify({
      matrix: {
        backend: [result.workload.backend],
        ...(result.workload.backend === 'cpu' ? {} : { gpuLayers: [best?.gpuLayers ?? 'max'] }),
        threads: [...new Set([decode?.threads, prompt?.threads].filter((t) => t !== undefined))],
        batchSize: [prompt?.batchSize ?? best?.batchSize],
        flashAttention: [best?.flashAttention ?? false],
        kvCacheType: [best?.kvCacheType ?? 'f16'],
      },
    })
  );
}

/** rigbench-agent config that makes `threads: auto` use the measured best counts on this node. */
export function tuneAgentDefaultsYaml(result: TuneResult): string {
  const { decode, prompt } = tuneWinners(result);
  return (
    `# rigbench tune: threads 'auto' for ${result.agentId}, measured with ${result.workload.model} ` +
    `(${result.workload.backend}), runs ${result.runIds.join(' ')}\n` +
    '# Merge into the agent config file (rigbench-agent --config FILE) and restart the agent.\n' +
    stringify({ threads: { autoDecode: decode?.threads ?? 0, autoPrompt: prompt?.threads ?? 0 } })
  );
}

/** The result as JSON for scripts. */
export function tuneResultJson(result: TuneResult): unknown {
  const winners = tuneWinners(result);
  return {
    agentId: result.agentId,
    workload: result.workload,
    rounds: result.rounds,
    runIds: result.runIds,
    settled: result.decision.settled,
    open: result.decision.open,
    failures: result.failures,
    best: { decode: winners.decode ?? null, prompt: winners.prompt ?? null },
    rankings: result.decision.rankings,
  };
}
