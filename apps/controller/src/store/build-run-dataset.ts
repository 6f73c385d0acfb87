import {
  expandPlan,
  validatePlan,
  PlanValidationError,
  type BenchCase,
  type RunOutcome,
} from '@rigbench/shared';
import type { RunAgent, RunCase, RunDataset, RunSample } from '../report/run-dataset.js';
import { runCompleteness } from './run-completeness.js';
import { loadLevelsOfRun } from './load-level-store.js';
import type { RunStore } from './run-store.js';
import type { RunAgentRow } from './store-types.js';

/** The plan stored for a run is missing or no longer validates, so its cases cannot be rebuilt. */
export class RunPlanUnreadableError extends Error {
  override name = 'RunPlanUnreadableError';
  constructor(runId: string, why: string, options?: ErrorOptions) {
    super(`run '${runId}': cannot rebuild its cases from the stored plan: ${why}`, options);
  }
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
 * The case ids an agent planned, in its execution order: from its `run.accepted`. Events of agents that predate
 * `caseIds`, and agents that never accepted, have none: for them (only) the stored plan's expansion stands in.
 */
function plannedCaseIdsOf(row: RunAgentRow, describe: () => Map<string, BenchCase>): string[] {
  return row.plannedCaseIds ?? [...describe().keys()];
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

  // What each case measures (model, backend, settings, workload) is in the plan, and only there: the plan is
  // expanded once to describe the cases. Which cases each agent planned comes from its run.accepted.
  let described: Map<string, BenchCase> | undefined;
  const describe = (): Map<string, BenchCase> =>
    (described ??= new Map(plannedCases(runId, run.plan).map((c) => [c.caseId, c])));
  const byKey = new Map(store.cases(runId).map((c) => [`${c.agentId}\u0000${c.caseId}`, c]));
  const cases: RunCase[] = [];
  for (const [i, agent] of agents.entries()) {
    for (const caseId of plannedCaseIdsOf(agentRows[i]!, describe)) {
      const benchCase = describe().get(caseId);
      if (!benchCase) {
        throw new RunPlanUnreadableError(
          runId,
          `agent ${agent.agentId} planned case ${caseId}, which the stored plan does not produce`,
        );
      }
      const row = byKey.get(`${agent.agentId}\u0000${caseId}`);
      cases.push({
        agentId: agent.agentId,
        caseId,
        benchCase,
        fingerprint: row?.fingerprint ?? null,
        modelLoadSeconds: row?.modelLoadSeconds ?? null,
        outcome: row?.outcome ?? null,
        reason: row?.reason ?? null,
      });
    }
  }

  const samples: RunSample[] = [];
  for (const { agentId, sample } of store.samples(runId))
    samples.push({ agentId, caseId: sample.caseId, sample });

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
