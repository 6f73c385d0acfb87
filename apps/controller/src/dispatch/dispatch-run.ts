import type { AgentRpc } from '@rigbench/shared';
import { AgentBusyError } from '../fleet/agent-errors.js';
import type { AgentClient } from '../fleet/agent-client.js';
import { DispatchError, PreflightError } from './dispatch-errors.js';
import type { Target } from './resolve-targets.js';

/** A target that passed the pre-dispatch check. */
export interface ReadyTarget extends Target {
  client: AgentClient;
  info: AgentRpc.AgentInfo__Output;
}

/**
 * Calls GetInfo on every target in parallel (with `getInfoDeadlineMs` when given: a freshly started agent answers
 * only once its first backend probe is done, which takes tens of seconds on a loaded machine). Agents named explicitly must answer and be idle, or nothing is
 * dispatched ({@link PreflightError} naming each); agents chosen by label are skipped with a note instead.
 */
export async function preflight(
  targets: readonly Target[],
  clientFor: (target: Target) => AgentClient,
  note: (text: string) => void,
  getInfoDeadlineMs?: number,
): Promise<ReadyTarget[]> {
  const results = await Promise.all(
    targets.map(async (target) => {
      const client = clientFor(target);
      try {
        const info = await client.getInfo(getInfoDeadlineMs);
        if (info.busy) {
          throw new AgentBusyError(
            target.agent.agentId,
            target.agent.address,
            info.active_run_ids.length ? info.active_run_ids : [info.current_run_id],
          );
        }
        return { ok: true as const, ready: { ...target, client, info } };
      } catch (error) {
        client.close();
        return { ok: false as const, target, error: error as Error };
      }
    }),
  );
  const fatal = results.filter((r) => !r.ok && r.target.explicit).map((r) => (r as { error: Error }).error);
  if (fatal.length > 0) {
    for (const r of results) if (r.ok) r.ready.client.close();
    throw new PreflightError(fatal);
  }
  for (const r of results) if (!r.ok) note(`skipping ${r.target.agent.agentId}: ${r.error.message}`);
  const ready = results.filter((r) => r.ok).map((r) => r.ready);
  if (ready.length === 0) throw new PreflightError(results.map((r) => (r as { error: Error }).error));
  return ready;
}

/**
 * StartRun on every ready target in parallel. All or nothing: when any agent refuses, the run is cancelled on
 * the agents that accepted it and {@link DispatchError} names the refusals.
 */
export async function startEverywhere(
  ready: readonly ReadyTarget[],
  request: { runId: string; planJson: string; label: string },
): Promise<Map<string, AgentRpc.StartRunResponse__Output>> {
  const results = await Promise.allSettled(
    ready.map((t) =>
      t.client.startRun({ run_id: request.runId, plan_json: request.planJson, label: request.label }),
    ),
  );
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failures.length > 0) {
    await Promise.allSettled(
      ready
        .filter((_, i) => results[i]?.status === 'fulfilled')
        .map((t) => t.client.cancelRun({ run_id: request.runId, reason: 'another agent refused the run' })),
    );
    throw new DispatchError(failures);
  }
  return new Map(
    ready.map((t, i) => [
      t.agent.agentId,
      (results[i] as PromiseFulfilledResult<AgentRpc.StartRunResponse__Output>).value,
    ]),
  );
}
