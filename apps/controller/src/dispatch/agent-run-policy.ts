/**
 * What the run monitor decides for one agent of a run at one instant: finished, lost, or still running (and
 * whether to probe it with GetInfo). Pure: the clock, the store row, the WatchRun state and the last heartbeat come
 * in, a decision goes out, so every case is unit-tested (agent-run-policy.test.ts) without processes.
 */
import { agentHealth, type HealthThresholds } from '../fleet/agent-health.js';

/** The WatchRun stream of the agent: open, ended normally, failing, or the agent no longer knows the run. */
export type WatchState = 'watching' | 'ended' | 'failed' | 'gone';

/** Everything the decision reads, at `now` (controller clock, ms). */
export interface AgentRunView {
  now: number;
  /** The store says the agent's part of the run is complete (run.finished and every event). */
  storeComplete: boolean;
  /** The store has the agent's run.finished (its last seq), complete or not. */
  storeHasRunFinished: boolean;
  /** When the store was first seen holding run.finished while events were still missing; null before. */
  storeFinishedAt: number | null;
  outcome: string | null;
  watch: WatchState;
  /** When WatchRun ended normally; null while open. */
  watchEndedAt: number | null;
  /** Last WatchRun event or answered GetInfo. */
  aliveAt: number;
  /** The agent's last heartbeat on NATS, if one was heard. */
  heartbeat: { receivedAtMs: number; intervalSeconds: number } | null;
  /** A GetInfo probe is in flight. */
  probing: boolean;
  /** When the last probe started (0: never). */
  probedAt: number;
}

/** The monitor's settings, in ms (see RunMonitorOptions). */
export interface AgentRunPolicy {
  thresholds: HealthThresholds;
  storeGraceMs: number;
  settleMs: number;
  unreachableLostMs: number;
  probeEveryMs: number;
}

export type AgentRunDecision =
  | { kind: 'finished'; status: string; abandon?: string }
  | { kind: 'running'; probe: boolean; probeDeadlineMs: number; storeFinishedAt: number | null };

/** Decides one agent's state; see the module doc. */
export function decideAgentRun(v: AgentRunView, p: AgentRunPolicy): AgentRunDecision {
  const outcome = v.outcome ?? '?';
  if (v.storeComplete) return { kind: 'finished', status: `finished (${outcome})` };
  let storeFinishedAt = v.storeFinishedAt;
  if (v.storeHasRunFinished) {
    storeFinishedAt ??= v.now;
    if (v.now - storeFinishedAt > p.settleMs)
      return { kind: 'finished', status: `finished (${outcome}), data missing` };
    return { kind: 'running', probe: false, probeDeadlineMs: 0, storeFinishedAt };
  }
  if (v.watch === 'gone')
    return { kind: 'finished', status: 'lost', abandon: 'the agent no longer knows the run (restarted?)' };
  if (v.watch === 'ended' && v.now - (v.watchEndedAt ?? v.now) > p.storeGraceMs)
    return {
      kind: 'finished',
      status: 'finished, events missing',
      abandon: `run.finished did not reach the store within ${p.storeGraceMs / 1000} s (check the agent's NATS connection)`,
    };
  // Lost only when every sign of life is old: heartbeats (absent while NATS is down), WatchRun events (absent
  // during a long case) and GetInfo probes, which run whenever the other two are quiet.
  const intervalSeconds = v.heartbeat?.intervalSeconds;
  const silentMs = v.now - Math.max(v.aliveAt, v.heartbeat?.receivedAtMs ?? 0);
  if (intervalSeconds !== undefined && agentHealth(silentMs, intervalSeconds, p.thresholds) === 'lost')
    return {
      kind: 'finished',
      status: 'lost',
      abandon: `agent lost: no heartbeat or other sign of life for ${(silentMs / 1000).toFixed(0)} s`,
    };
  if (intervalSeconds === undefined && silentMs > p.unreachableLostMs && v.watch !== 'watching')
    return {
      kind: 'finished',
      status: 'lost',
      abandon: `agent unreachable for ${(silentMs / 1000).toFixed(0)} s`,
    };
  // Probe once the agent looks stale, often enough to answer before it would count as lost.
  const intervalMs = intervalSeconds === undefined ? p.probeEveryMs : intervalSeconds * 1000;
  const quietMs =
    intervalSeconds === undefined ? p.probeEveryMs : p.thresholds.staleAfterIntervals * intervalMs;
  const probeGapMs = Math.min(p.probeEveryMs, intervalMs);
  const probe = silentMs > quietMs && !v.probing && v.now - v.probedAt > probeGapMs;
  return {
    kind: 'running',
    probe,
    probeDeadlineMs: Math.max(200, Math.min(3000, intervalMs)),
    storeFinishedAt,
  };
}
