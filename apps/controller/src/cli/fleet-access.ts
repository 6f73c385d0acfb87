import type { NatsConnection } from '@nats-io/transport-node';
import { HeartbeatMonitor } from '../fleet/heartbeat-monitor.js';
import type { Logger } from '@rigbench/shared';
import { fleetView, type FleetAgent } from '../fleet/fleet-view.js';
import { AgentClient, type AgentEndpoint } from '../fleet/agent-client.js';
import type { CommandContext } from './command-context.js';
import { UsageError } from './exit-codes.js';

/**
 * A started heartbeat monitor whose every heartbeat is also recorded in the store (for the commands that come
 * after this one); stop it when done.
 */
export function recordingHeartbeats(ctx: CommandContext, nc: NatsConnection, log?: Logger): HeartbeatMonitor {
  const monitor = new HeartbeatMonitor(nc, log);
  monitor.onHeartbeat(({ heartbeat, receivedAtMs }) => ctx.store.recordHeartbeat(heartbeat, receivedAtMs));
  monitor.start();
  return monitor;
}

/** Options of {@link discoverFleet}. */
export interface DiscoverOptions {
  /** Listen for heartbeats at most this long, in milliseconds (default: the configured listen time). */
  listenMs?: number;
  /** Stop listening early once these agents have been heard from (default: every agent known so far). */
  waitFor?: readonly string[];
}

/**
 * The fleet as this command can know it: configured agents, heartbeats recorded by earlier controller processes
 * and heartbeats heard now (recorded in the store for the next command).
 */
export async function discoverFleet(
  ctx: CommandContext,
  options: DiscoverOptions = {},
): Promise<FleetAgent[]> {
  const { config, store } = ctx;
  const listenMs = options.listenMs ?? config.fleet.listenMs;
  const nc =
    listenMs > 0
      ? await ctx.natsIfAvailable('listing configured and previously seen agents only')
      : undefined;
  const monitor = nc ? recordingHeartbeats(ctx, nc) : undefined;
  if (monitor) {
    const known = options.waitFor ?? [
      ...new Set([...config.agents.map((a) => a.id), ...store.storedAgents().map((a) => a.agentId)]),
    ];
    await monitor.waitFor(known, listenMs, ctx.signal);
    await monitor.stop();
  }
  return fleetView(config, monitor?.snapshot() ?? new Map(), store.storedAgents());
}

/** An `AGENT` argument: a known agent id, or `host:port` to dial directly with the default token and TLS. */
export async function resolveAgent(ctx: CommandContext, agent: string): Promise<AgentEndpoint> {
  if (/^[^\s:]+:\d{1,5}$/.test(agent)) {
    const { agentToken, agentTls } = ctx.config;
    return {
      agentId: agent,
      address: agent,
      ...(agentToken ? { token: agentToken } : {}),
      ...(agentTls ? { tls: agentTls } : {}),
    };
  }
  const fleet = await discoverFleet(ctx, { waitFor: [agent] });
  const found = fleet.find((a) => a.agentId === agent);
  if (!found) {
    // Not configured and not heard from because NATS is down: that is the reason, not the agent's name.
    const natsFailure = await ctx.natsFailure();
    if (natsFailure) throw natsFailure;
    const known = fleet.map((a) => a.agentId).join(', ') || 'none';
    throw new UsageError(
      `unknown agent '${agent}' (known: ${known}); pass host:port, add it to the config's agents, or check that ` +
        'it heartbeats on NATS',
    );
  }
  return found.endpoint;
}

/** A client for one endpoint with the configured deadlines. */
export function clientFor(ctx: CommandContext, endpoint: AgentEndpoint): AgentClient {
  return new AgentClient(endpoint, {
    deadlineMs: ctx.config.grpc.deadlineMs,
    keepaliveMs: ctx.config.grpc.keepaliveMs,
  });
}
