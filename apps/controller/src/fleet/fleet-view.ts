import type { ControllerConfig, StaticAgent } from '../config/controller-config.js';
import type { StoredAgent } from '../store/store-types.js';
import { agentHealth, type AgentHealth } from './agent-health.js';
import type { AgentEndpoint } from './agent-client.js';
import type { ReceivedHeartbeat } from './heartbeat-monitor.js';

/** One agent as the controller sees it: configured, heard from, or both. */
export interface FleetAgent {
  agentId: string;
  address: string;
  labels: Record<string, string>;
  health: AgentHealth;
  /** Where the controller knows it from. */
  source: 'heartbeat' | 'config' | 'config+heartbeat';
  version: string | null;
  busy: boolean | null;
  runId: string | null;
  /** Age of the last heartbeat, in milliseconds; null when never heard from. */
  heartbeatAgeMs: number | null;
  intervalSeconds: number | null;
  endpoint: AgentEndpoint;
}

/**
 * Merges heartbeats (live ones first, then those recorded in the store by earlier controller processes) with the
 * configured static agents. A configured address, token and TLS always win; labels merge, heartbeat labels last.
 */
export function fleetView(
  config: Pick<ControllerConfig, 'agents' | 'agentToken' | 'agentTls' | 'fleet'>,
  live: ReadonlyMap<string, ReceivedHeartbeat>,
  stored: readonly StoredAgent[],
  nowMs: number = Date.now(),
): FleetAgent[] {
  const heard = new Map<string, StoredAgent>();
  for (const s of stored) heard.set(s.agentId, s);
  for (const [id, { heartbeat: h, receivedAtMs }] of live) {
    const previous = heard.get(id);
    if (previous && previous.receivedAtMs > receivedAtMs) continue;
    heard.set(id, {
      agentId: id,
      address: h.address,
      labels: h.labels,
      version: h.version,
      intervalSeconds: h.intervalSeconds,
      busy: h.busy,
      runId: h.runId,
      receivedAtMs,
    });
  }
  const configured = new Map<string, StaticAgent>(config.agents.map((a) => [a.id, a]));
  const ids = [...new Set([...configured.keys(), ...heard.keys()])].sort();
  return ids.map((agentId) => {
    const c = configured.get(agentId);
    const h = heard.get(agentId);
    const address = c?.address ?? (h as StoredAgent).address;
    const token = c?.token ?? config.agentToken;
    const tls = c?.tls ?? config.agentTls;
    const ageMs = h ? Math.max(0, nowMs - h.receivedAtMs) : null;
    return {
      agentId,
      address,
      labels: { ...(c?.labels ?? {}), ...(h?.labels ?? {}) },
      health: h && ageMs !== null ? agentHealth(ageMs, h.intervalSeconds, config.fleet) : 'unknown',
      source: c && h ? 'config+heartbeat' : c ? 'config' : 'heartbeat',
      version: h?.version ?? null,
      busy: h?.busy ?? null,
      runId: h?.runId ?? null,
      heartbeatAgeMs: ageMs,
      intervalSeconds: h?.intervalSeconds ?? null,
      endpoint: { agentId, address, ...(token ? { token } : {}), ...(tls ? { tls } : {}) },
    };
  });
}
