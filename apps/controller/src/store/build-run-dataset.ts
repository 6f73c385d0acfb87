import {
  expandPlan,
  validatePlan,
  PlanValidationError,
  type BenchCase,
  type CaseOutcome,
  type FinishReason,
  type Fingerprint,
  type RunOutcome,
  type Sample,
  type SampleEnergy,
} from '@rigbench/shared';
import type { RunAgent, RunCase, RunDataset, RunSample } from '../report/run-dataset.js';
import { runCompleteness } from './run-completeness.js';
import { loadLevelsOfRun } from './load-level-store.js';
import type { RunStore } from './run-store.js';

/** The plan stored for a run is missing or no longer validates, so its cases cannot be rebuilt. */
export class RunPlanUnreadableError extends Error {
  override name = 'RunPlanUnreadableError';
  constructor(runId: string, why: string, options?: ErrorOptions) {
    super(`run '${runId}': cannot rebuild its cases from the stored plan: ${why}`, options);
  }
}

type SampleRow = [
  agentId: string,
  caseId: string,
  repetition: number,
  mode: 'chat' | 'raw',
  startedAt: string,
  modelLoadSeconds: number,
  promptTokens: number,
  promptSeconds: number,
  promptTokensPerSecond: number,
  ttftSeconds: number | null,
  generatedTokens: number,
  decodeSeconds: number,
  decodeTokensPerSecond: number,
  itlP50: number | null,
  itlP90: number | null,
  itlP99: number | null,
  endToEndSeconds: number,
  vramBefore: number | null,
  vramPeak: number | null,
  vramAfter: number | null,
  workerPeakRssBytes: number,
  threads: number,
  batchSize: number,
  finishReason: FinishReason,
  energyJson: string | null,
];

function toSample(r: SampleRow): RunSample {
  const sample: Sample = {
    caseId: r[1],
    repetition: r[2],
    mode: r[3],
    startedAt: r[4],
    modelLoadSeconds: r[5],
    promptTokens: r[6],
    promptSeconds: r[7],
    promptTokensPerSecond: r[8],
    ttftSeconds: r[9],
    generatedTokens: r[10],
    decodeSeconds: r[11],
    decodeTokensPerSecond: r[12],
    interTokenLatency: r[13] === null ? null : { p50: r[13], p90: r[14] as number, p99: r[15] as number },
    endToEndSeconds: r[16],
    vram:
      r[17] === null ? null : { beforeBytes: r[17], peakBytes: r[18] as number, afterBytes: r[19] as number },
    workerPeakRssBytes: r[20],
    threads: r[21],
    batchSize: r[22],
    finishReason: r[23],
    ...(r[24] === null ? {} : { energy: JSON.parse(r[24]) as SampleEnergy }),
  };
  return { agentId: r[0], caseId: r[1], sample };
}

function plannedCases(runId: string, plan: unknown): BenchCase[] {
  if (plan === null || plan === undefined) throw new RunPlanUnreadableError(runId, 'no plan was stored');
  try {
    return expandPlan(validatePlan(plan, `run ${runId}`));
  } catch (error) {
    const why = error instanceof PlanValidationError ? error.message : (error as Error).message;
    throw new RunPlanUnreadableError(runId, why, { cause: error });
  }
}

/**
 * Everything the store knows about one run, as the flat {@link RunDataset} every report and comparison reads:
 * one case per planned case and agent (null fields where nothing arrived), every stored sample.
 */
export function buildRunDataset(store: RunStore, runId: string): RunDataset {
  const run = store.run(runId);
  const completeness = runCompleteness(store, runId);
  const heartbeatLabels = new Map(store.storedAgents().map((a) => [a.agentId, a.labels]));
  const agentRows = completeness.agents.map((a) => a.row);
  const agents: RunAgent[] = agentRows.map((row) => ({
    agentId: row.agentId,
    labels: Object.keys(row.labels).length > 0 ? row.labels : (heartbeatLabels.get(row.agentId) ?? {}),
    outcome: row.outcome as RunOutcome | null,
  }));

  const benchCases = plannedCases(runId, run.plan);
  const caseRows = store.db
    .prepare(
      `SELECT a.agent_id, c.case_id, c.fingerprint_json, c.model_load_seconds, c.outcome, c.reason
       FROM cases c JOIN run_agents a ON c.ra = a.id WHERE a.run_id = ?`,
    )
    .all(runId) as Array<{
    agent_id: string;
    case_id: string;
    fingerprint_json: string | null;
    model_load_seconds: number | null;
    outcome: CaseOutcome | null;
    reason: string | null;
  }>;
  const byKey = new Map(caseRows.map((r) => [`${r.agent_id}\u0000${r.case_id}`, r]));
  const cases: RunCase[] = [];
  for (const agent of agents) {
    for (const benchCase of benchCases) {
      const row = byKey.get(`${agent.agentId}\u0000${benchCase.caseId}`);
      cases.push({
        agentId: agent.agentId,
        caseId: benchCase.caseId,
        benchCase,
        fingerprint: row?.fingerprint_json ? (JSON.parse(row.fingerprint_json) as Fingerprint) : null,
        modelLoadSeconds: row?.model_load_seconds ?? null,
        outcome: row?.outcome ?? null,
        reason: row?.reason ?? null,
      });
    }
  }

  const samples: RunSample[] = [];
  const rows = store.db
    .prepare(
      `SELECT a.agent_id, case_id, repetition, mode, started_at, model_load_seconds, prompt_tokens, prompt_seconds,
         prompt_tokens_per_second, ttft_seconds, generated_tokens, decode_seconds, decode_tokens_per_second,
         itl_p50, itl_p90, itl_p99, end_to_end_seconds, vram_before_bytes, vram_peak_bytes, vram_after_bytes,
         worker_peak_rss_bytes, threads, batch_size, finish_reason, energy_json
       FROM samples s JOIN run_agents a ON s.ra = a.id WHERE a.run_id = ? ORDER BY a.agent_id, s.seq`,
    )
    .raw();
  for (const row of rows.iterate(runId)) samples.push(toSample(row as SampleRow));

  const finished = agentRows.map((a) => a.finishedAt);
  const finishedAt =
    finished.length > 0 && finished.every((f) => f !== null) ? (finished as string[]).sort().at(-1)! : null;
  const accepted = agentRows.map((a) => a.acceptedAt).filter((a): a is string => a !== null);
  return {
    run: {
      runId,
      planName: run.planName ?? run.runName ?? '(unknown plan)',
      label: run.label,
      startedAt: run.dispatched || accepted.length === 0 ? run.createdAt : accepted.sort()[0]!,
      finishedAt,
      status: completeness.status,
      missing: completeness.missing,
    },
    agents,
    cases,
    samples,
    ...loadLevelsField(store, runId),
  };
}

/** The run's serving-load levels, when it has any (the field is absent otherwise). */
function loadLevelsField(store: RunStore, runId: string): Pick<RunDataset, 'loadLevels'> {
  const loadLevels = loadLevelsOfRun(store.db, runId);
  return loadLevels.length > 0 ? { loadLevels } : {};
}
