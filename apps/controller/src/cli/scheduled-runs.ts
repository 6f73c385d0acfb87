import type { NatsConnection } from '@nats-io/transport-node';
import { resolveTargets } from '../dispatch/resolve-targets.js';
import type { HeartbeatMonitor } from '../fleet/heartbeat-monitor.js';
import { fleetView } from '../fleet/fleet-view.js';
import type { Logger } from '@rigbench/shared';
import { PlanScheduler, type ScheduledPlan } from '../schedule/plan-scheduler.js';
import type { CommandContext } from './command-context.js';
import { startPlanRun } from './dispatch-plan.js';
import { UsageError } from './exit-codes.js';
import { readPlanFile } from './plan-file.js';

/** Reads the plan files and their `schedule:` entries; a file without one is a usage error naming it. */
export function scheduledPlans(files: readonly string[]): ScheduledPlan[] {
  return files.flatMap((file) => {
    const plan = readPlanFile(file);
    if (plan.schedule.length === 0)
      throw new UsageError(
        `${file}: plan '${plan.name}' has no schedule: entries (e.g. schedule: [{ cron: "0 7 * * *", label: morning }])`,
      );
    return plan.schedule.map((entry) => ({ file, plan, entry }));
  });
}

/**
 * The scheduler of `rigbench collect --plans`: each fire resolves the plan's targets from the fleet as the
 * collector sees it and starts the plan on them (like `rigbench run --detach`, labelled with the entry's label);
 * the collector already running stores the results.
 */
export function collectScheduler(
  ctx: CommandContext,
  nc: NatsConnection,
  heartbeats: HeartbeatMonitor,
  plans: readonly ScheduledPlan[],
  log: Logger,
): PlanScheduler {
  return new PlanScheduler({
    plans,
    logger: log,
    dispatch: async ({ plan, entry }) => {
      const fleet = fleetView(ctx.config, heartbeats.snapshot(), ctx.store.storedAgents());
      const { targets, skipped } = resolveTargets(fleet, plan.targets);
      for (const s of skipped) log.warn('scheduled round skips an agent', { agent: s.agentId, why: s.why });
      const started = await startPlanRun(ctx, nc, targets, plan, entry.label ? { label: entry.label } : {});
      log.info('scheduled round started', {
        plan: plan.name,
        runId: started.runId,
        agents: started.agents.map((a) => a.agentId).join(','),
      });
    },
  });
}
