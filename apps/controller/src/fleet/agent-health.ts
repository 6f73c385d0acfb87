/** Fleet state of an agent from the age of its last heartbeat. `unknown`: configured, never heard from. */
export type AgentHealth = 'up' | 'stale' | 'lost' | 'unknown';

/** Heartbeat age thresholds, in multiples of the agent's own promised interval. */
export interface HealthThresholds {
  staleAfterIntervals: number;
  lostAfterIntervals: number;
}

/**
 * `up` while the last heartbeat is younger than `staleAfterIntervals` intervals, `stale` until
 * `lostAfterIntervals`, then `lost`. Intervals are the agent's own, so a slow-beating agent is not lost early.
 */
export function agentHealth(
  ageMs: number,
  intervalSeconds: number,
  thresholds: HealthThresholds,
): AgentHealth {
  const intervalMs = Math.max(intervalSeconds, 0.1) * 1000;
  if (ageMs <= thresholds.staleAfterIntervals * intervalMs) return 'up';
  if (ageMs <= thresholds.lostAfterIntervals * intervalMs) return 'stale';
  return 'lost';
}
