import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BenchPlan } from '@rigbench/shared';
import { ensureEventStream } from '../collector/event-stream.js';
import { preflight, startEverywhere, type ReadyTarget } from '../dispatch/dispatch-run.js';
import type { Target } from '../dispatch/resolve-targets.js';
import { newRunId } from '../dispatch/run-id.js';
import type { AgentEndpoint } from '../fleet/agent-client.js';
import type { CommandContext } from './command-context.js';
import { clientFor } from './fleet-access.js';

/**
 * The pre-dispatch GetInfo may wait this long (or the configured deadline if longer): an agent that just started
 * answers once its first backend probe is done (seconds; 30 s and more were seen on a loaded 2-core machine), and
 * a plan targeted by label would otherwise skip it.
 */
const PREFLIGHT_GETINFO_MS = 60_000;

/** The GetInfo deadline of a pre-dispatch check, in ms (see {@link PREFLIGHT_GETINFO_MS}). */
export function preflightDeadlineMs(ctx: CommandContext): number {
  return Math.max(ctx.config.grpc.deadlineMs, PREFLIGHT_GETINFO_MS);
}

/** A plan started on its agents: what `followRun` needs next. */
export interface StartedRun {
  runId: string;
  /** Cases each agent accepted, by agent id. */
  caseCounts: Map<string, number | undefined>;
  agents: AgentEndpoint[];
  /** The GetInfo answers of the pre-dispatch check, by agent id. */
  infos: Map<string, ReadyTarget['info']>;
}

/**
 * Checks the targets (GetInfo, idle), records the dispatch in the store, makes sure the event stream exists and
 * starts the plan on every target at once (all or nothing). The agents' clients are closed on return.
 */
export async function startPlanRun(
  ctx: CommandContext,
  nc: NatsConnection,
  targets: readonly Target[],
  plan: BenchPlan,
  meta: { name?: string; label?: string },
): Promise<StartedRun> {
  const { store, output } = ctx;
  const ready = await preflight(
    targets,
    (t) => clientFor(ctx, t.agent.endpoint),
    (t) => output.note(t),
    preflightDeadlineMs(ctx),
  );
  const runId = newRunId();
  store.recordDispatch({
    runId,
    planName: plan.name,
    runName: meta.name ?? null,
    label: meta.label ?? null,
    plan,
    targets: ready.map((t) => ({
      agentId: t.agent.agentId,
      address: t.agent.address,
      labels: { ...t.agent.labels, ...t.info.labels },
    })),
  });
  // Agents create the stream too; making sure here means the first events of a fresh setup are kept.
  await ensureEventStream(await jetstreamManager(nc), { replicas: ctx.config.nats.streamReplicas });
  try {
    const accepted = await startEverywhere(ready, {
      runId,
      planJson: JSON.stringify(plan),
      label: meta.label ?? '',
    });
    return {
      runId,
      caseCounts: new Map(ready.map((t) => [t.agent.agentId, accepted.get(t.agent.agentId)?.case_count])),
      agents: ready.map((t) => t.agent.endpoint),
      infos: new Map(ready.map((t) => [t.agent.agentId, t.info])),
    };
  } catch (error) {
    for (const t of ready) store.abandonAgent(runId, t.agent.agentId, 'not started: StartRun failed');
    throw error;
  } finally {
    for (const t of ready) t.client.close();
  }
}
