import { expandPlan, type BenchPlan, type RigbenchEvent } from '@rigbench/shared';
import type { RunStore } from '../../apps/controller/src/store/run-store.js';
import { syntheticRunEvents } from './synthetic-run.js';

/** What {@link storePlanRun} stores. */
export interface PlanRunOptions {
  runId: string;
  plan: BenchPlan;
  /** Samples of every case (the synthetic agent's figures). */
  samplesPerCase: number;
  /** Changes the agent's events before they are stored (e.g. a cancelled `run.finished`); default none. */
  editEvents?: (events: RigbenchEvent[]) => RigbenchEvent[];
}

/**
 * Stores a run of `plan` as the controller sees one: its dispatch to the one agent `a1` (no address, no labels,
 * no name or label), then the synthetic events `a1` publishes for every case the plan expands to.
 */
export function storePlanRun(
  store: RunStore,
  { runId, plan, samplesPerCase, editEvents }: PlanRunOptions,
): void {
  store.recordDispatch({
    runId,
    planName: plan.name,
    runName: null,
    label: null,
    plan,
    targets: [{ agentId: 'a1', address: null, labels: {} }],
  });
  const caseIds = expandPlan(plan).map((c) => c.caseId);
  const events = [...syntheticRunEvents({ runId, agentId: 'a1', cases: 0, caseIds, samplesPerCase, plan })];
  store.writeEvents(editEvents ? editEvents(events) : events);
}
