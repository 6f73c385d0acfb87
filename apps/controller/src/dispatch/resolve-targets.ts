import type { FleetAgent } from '../fleet/fleet-view.js';
import { NoTargetsError, UnknownAgentError } from './dispatch-errors.js';

/** Which agents a run is for: ids and/or a label selector (all labels must match). Both empty: every live agent. */
export interface TargetRequest {
  agents: readonly string[];
  selector: Readonly<Record<string, string>>;
}

/** A chosen agent; `explicit` when named by id (then any failure is fatal, not skipped). */
export interface Target {
  agent: FleetAgent;
  explicit: boolean;
}

export interface TargetResolution {
  targets: Target[];
  /** Agents that matched but were left out, with why. */
  skipped: Array<{ agentId: string; why: string }>;
}

const matches = (labels: Record<string, string>, selector: Readonly<Record<string, string>>): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/**
 * Picks the agents of a run. Agents named by id are always taken (the pre-dispatch check tells whether they
 * answer); agents chosen by label or by "everyone" are taken when up or configured but not yet heard from, and
 * skipped when stale or lost.
 */
export function resolveTargets(fleet: readonly FleetAgent[], request: TargetRequest): TargetResolution {
  const byId = new Map(fleet.map((a) => [a.agentId, a]));
  const chosen = new Map<string, Target>();
  const skipped: TargetResolution['skipped'] = [];
  for (const id of request.agents) {
    const agent = byId.get(id);
    if (!agent) throw new UnknownAgentError(id, [...byId.keys()]);
    chosen.set(id, { agent, explicit: true });
  }
  const bySelector = Object.keys(request.selector).length > 0;
  if (bySelector || request.agents.length === 0) {
    for (const agent of fleet) {
      if (chosen.has(agent.agentId)) continue;
      if (bySelector && !matches(agent.labels, request.selector)) continue;
      if (agent.health === 'stale' || agent.health === 'lost') {
        skipped.push({
          agentId: agent.agentId,
          why: `${agent.health} (last heartbeat ${((agent.heartbeatAgeMs ?? 0) / 1000).toFixed(0)} s ago)`,
        });
        continue;
      }
      chosen.set(agent.agentId, { agent, explicit: false });
    }
  }
  if (chosen.size === 0) {
    const selector = Object.entries(request.selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    throw new NoTargetsError(
      bySelector
        ? `no live agent matches --select ${selector} (agents: ${fleet.map((a) => `${a.agentId} ${JSON.stringify(a.labels)}`).join('; ') || 'none'})`
        : `no live agents to run on${skipped.length ? ` (skipped: ${skipped.map((s) => `${s.agentId} ${s.why}`).join('; ')})` : ''}; ` +
            'start rigbench-agent on a node, or configure static agents',
    );
  }
  return { targets: [...chosen.values()], skipped };
}
