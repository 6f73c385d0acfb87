import { expandPlan, validatePlan } from '@rigbench/shared';
import type { RunStatus } from '../report/run-dataset.js';
import type { RunStore } from './run-store.js';
import type { RunAgentRow } from './store-types.js';

/** Where one agent of a run stands. */
export type AgentRunState = 'pending' | 'running' | 'complete' | 'incomplete';

export interface AgentCompleteness {
  agentId: string;
  state: AgentRunState;
  /** Human lines naming what is missing; empty when complete. */
  missing: string[];
  row: RunAgentRow;
}

export interface RunCompleteness {
  runId: string;
  status: RunStatus;
  agents: AgentCompleteness[];
  /** Every agent's missing lines, prefixed with the agent id. */
  missing: string[];
}

const MAX_LISTED = 10;

/** `[1,2,3,5,8,9]` → `1-3, 5, 8-9`, at most {@link MAX_LISTED} ranges. */
export function formatRanges(values: readonly number[]): string {
  const ranges: string[] = [];
  let i = 0;
  while (i < values.length) {
    const start = values[i] as number;
    let end = start;
    while (i + 1 < values.length && values[i + 1] === end + 1) {
      i += 1;
      end = values[i] as number;
    }
    ranges.push(start === end ? `${start}` : `${start}-${end}`);
    i += 1;
  }
  if (ranges.length <= MAX_LISTED) return ranges.join(', ');
  return `${ranges.slice(0, MAX_LISTED).join(', ')} and ${ranges.length - MAX_LISTED} more ranges`;
}

/** Seqs in 1..upTo that are not stored. */
function missingSeqs(stored: readonly number[], upTo: number): number[] {
  const missing: number[] = [];
  let next = 1;
  for (const seq of stored) {
    if (seq > upTo) break;
    for (; next < seq; next += 1) missing.push(next);
    next = seq + 1;
  }
  for (; next <= upTo; next += 1) missing.push(next);
  return missing;
}

function agentCompleteness(
  store: RunStore,
  runId: string,
  row: RunAgentRow,
  legacyPlannedCaseIds: () => string[],
): AgentCompleteness {
  const missing: string[] = [];
  let state: AgentRunState;
  if (row.lastSeq === null) {
    state = row.acceptedAt === null && row.eventsStored === 0 ? 'pending' : 'running';
    if (row.acceptedAt === null) missing.push('no run.accepted received');
    const cases = row.caseCount === null ? '' : `, ${row.casesFinished} of ${row.caseCount} cases finished`;
    missing.push(`no run.finished received (${row.eventsStored} events stored${cases})`);
    // Gaps below the highest stored seq are already known to be missing.
    if (row.maxSeq > row.eventsStored) {
      missing.push(
        `missing seq ${formatRanges(missingSeqs(store.storedSeqs(runId, row.agentId), row.maxSeq))}`,
      );
    }
  } else {
    // Fast path: seqs are unique, so count == lastSeq and max == lastSeq proves 1..lastSeq are all there.
    if (row.eventsStored !== row.lastSeq || row.maxSeq !== row.lastSeq) {
      const gaps = missingSeqs(store.storedSeqs(runId, row.agentId), row.lastSeq);
      if (gaps.length > 0) missing.push(`missing seq ${formatRanges(gaps)} of 1-${row.lastSeq}`);
    }
    const stored = store.sampleCountsByCase(runId, row.agentId);
    const short: string[] = [];
    for (const [caseId, expected] of Object.entries(row.samplesPerCase ?? {})) {
      const have = stored.get(caseId) ?? 0;
      if (have !== expected) short.push(`case ${caseId}: ${have} of ${expected} samples stored`);
    }
    if (short.length > MAX_LISTED) {
      missing.push(
        ...short.slice(0, MAX_LISTED),
        `and ${short.length - MAX_LISTED} more cases short of samples`,
      );
    } else {
      missing.push(...short);
    }
    state = missing.length === 0 ? 'complete' : 'incomplete';
  }
  if (row.abandonedReason !== null && state !== 'complete') {
    state = 'incomplete';
    missing.unshift(`given up: ${row.abandonedReason}`);
  }
  if (state === 'incomplete') {
    // Name the cases, not just their count: that is what a re-run has to cover.
    const finished = store.finishedCaseIds(runId, row.agentId);
    const open = (row.plannedCaseIds ?? legacyPlannedCaseIds()).filter((caseId) => !finished.has(caseId));
    if (open.length > 0) {
      const listed = open.slice(0, MAX_LISTED).join(', ');
      const more = open.length > MAX_LISTED ? ` and ${open.length - MAX_LISTED} more` : '';
      missing.push(`cases not finished: ${listed}${more}`);
    }
  }
  return { agentId: row.agentId, state, missing, row };
}

/**
 * Case ids of a stored plan, in plan order; none when no plan was stored or it no longer validates. Only for
 * agents whose planned case ids the store does not have: a `run.accepted` from an agent that predates `caseIds`,
 * or no `run.accepted` at all. Every other agent's list comes from its own `run.accepted`.
 */
function planCaseIds(plan: unknown): string[] {
  if (plan === null || plan === undefined) return [];
  try {
    return expandPlan(validatePlan(plan)).map((c) => c.caseId);
  } catch {
    return [];
  }
}

/**
 * Decides whether a run is complete: every targeted (or accepting) agent's `run.finished` is stored, every seq
 * from 1 to its `lastSeq` is stored, and the stored samples per case match its `samplesPerCase`. A run with an
 * agent still pending or running is `running`; one with every agent finished or given up but data missing is
 * `incomplete`; one whose data is all there but that an agent reports `cancelled` is `cancelled`.
 */
export function runCompleteness(store: RunStore, runId: string): RunCompleteness {
  const run = store.run(runId); // throws RunNotFoundError
  let legacyCaseIds: string[] | undefined;
  const legacyPlannedCaseIds = (): string[] => (legacyCaseIds ??= planCaseIds(run.plan));
  const agents = store
    .runAgents(runId)
    .map((row) => agentCompleteness(store, runId, row, legacyPlannedCaseIds));
  let status: RunStatus;
  if (agents.some((a) => a.state === 'pending' || a.state === 'running')) status = 'running';
  else if (agents.length > 0 && agents.every((a) => a.state === 'complete'))
    status = agents.some((a) => a.row.outcome === 'cancelled') ? 'cancelled' : 'complete';
  else status = 'incomplete';
  const missing = agents.flatMap((a) => a.missing.map((line) => `agent ${a.agentId}: ${line}`));
  if (agents.length === 0) missing.push('no agent has accepted or been sent this run');
  if (status === 'cancelled')
    for (const a of agents.filter((x) => x.row.outcome === 'cancelled'))
      missing.push(
        `agent ${a.agentId}: cancelled after ${a.row.casesFinished} of ${a.row.caseCount ?? '?'} cases`,
      );
  return { runId, status, agents, missing };
}
