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
  /**
   * Why no bearer token is sent to this agent although one is configured: its address comes from a heartbeat
   * alone, which anyone who may publish on NATS can forge. Null when the token is sent (or none is configured).
   */
  credentialWithheld: string | null;
  endpoint: AgentEndpoint;
}

/**
 * Whether the controller may hand this agent's credential to `address`: only when the address is configured, or
 * TLS verifies a certificate naming the agent id, or the operator declared heartbeats trustworthy.
 */
function mayHandCredential(
  configured: boolean,
  tls: AgentEndpoint['tls'],
  trustHeartbeats: boolean,
): 'yes' | 'tls' | 'no' {
  if (configured || trustHeartbeats) return 'yes';
  return tls?.ca ? 'tls' : 'no';
}

/**
 * Merges heartbeats (live ones first, then those recorded in the store by earlier controller processes) with the
 * configured static agents. A configured address, token and TLS always win; labels merge, heartbeat labels last.
 *
 * Tokens: `agents[].token`, else `<agentTokensDir>/<id>.token`, else `agentToken`; sent only to a configured
 * address, or over TLS that must verify a server certificate naming the agent id (not the address the heartbeat
 * gave), or when `fleet.trustHeartbeatAddresses` is set. A heartbeat alone never gets a credential.
 */
export function fleetView(
  config: Pick<ControllerConfig, 'agents' | 'agentToken' | 'agentTls' | 'fleet'> &
    Partial<Pick<ControllerConfig, 'agentTokens'>>,
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
    const configuredToken = c?.token ?? config.agentTokens?.[agentId] ?? config.agentToken;
    const tls = c?.tls ?? config.agentTls;
    const hand = mayHandCredential(c !== undefined, tls, config.fleet.trustHeartbeatAddresses === true);
    const token = hand === 'no' ? undefined : configuredToken;
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
      credentialWithheld:
        hand === 'no' && configuredToken
          ? `address ${address} comes from a heartbeat only: add the agent to agents[] with its address, give ` +
            'agents a TLS CA (agentTls.ca; certificates naming the agent id), or set fleet.trustHeartbeatAddresses'
          : null,
      endpoint: {
        agentId,
        address,
        ...(token ? { token } : {}),
        ...(tls ? { tls } : {}),
        ...(hand === 'tls' ? { tlsServerName: agentId } : {}),
      },
    };
  });
}

/**
 * The endpoint of an agent known only by an address recorded in the store (a run's agent no longer in the fleet
 * view): that address came from a heartbeat, so the credential rules of {@link fleetView} apply.
 */
export function recordedAgentEndpoint(
  config: Pick<ControllerConfig, 'agentToken' | 'agentTls' | 'fleet'> &
    Partial<Pick<ControllerConfig, 'agentTokens'>>,
  agentId: string,
  address: string,
): AgentEndpoint {
  const tls = config.agentTls;
  const hand = mayHandCredential(false, tls, config.fleet.trustHeartbeatAddresses === true);
  const token = hand === 'no' ? undefined : (config.agentTokens?.[agentId] ?? config.agentToken);
  return {
    agentId,
    address,
    ...(token ? { token } : {}),
    ...(tls ? { tls } : {}),
    ...(hand === 'tls' ? { tlsServerName: agentId } : {}),
  };
}
