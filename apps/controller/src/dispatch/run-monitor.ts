import { status } from '@grpc/grpc-js';
import { parseEvent } from '@rigbench/shared';
import { sleep } from '../collector/catch-up.js';
import type { AgentClient } from '../fleet/agent-client.js';
import { AgentCallError } from '../fleet/agent-errors.js';
import type { HealthThresholds } from '../fleet/agent-health.js';
import { decideAgentRun, type AgentRunPolicy } from './agent-run-policy.js';
import type { HeartbeatMonitor } from '../fleet/heartbeat-monitor.js';
import { runCompleteness } from '../store/run-completeness.js';
import type { RunStore } from '../store/run-store.js';
import type { ProgressDisplay } from './progress-display.js';
import {
  applyProgressEvent,
  applyStoreProgress,
  startingProgress,
  type AgentProgress,
} from './agent-progress.js';

export interface MonitoredAgent {
  agentId: string;
  client: AgentClient;
}

export interface RunMonitorOptions {
  runId: string;
  agents: readonly MonitoredAgent[];
  store: RunStore;
  /** Live heartbeats, for telling a lost agent from a slow one. */
  heartbeats?: HeartbeatMonitor;
  thresholds: HealthThresholds;
  display: ProgressDisplay;
  signal: AbortSignal;
  /** After WatchRun showed `run.finished`, how long the store may take to receive it, in ms (default 30 s). */
  storeGraceMs?: number;
  /** After the store has `run.finished` but misses events, how long to wait for stragglers, in ms (default 5 s). */
  settleMs?: number;
  /**
   * Without heartbeats (none configured, or NATS down) an agent whose WatchRun and GetInfo probes keep failing
   * this long is given up, in ms (default 30 s).
   */
  unreachableLostMs?: number;
  /** How often a silent agent is probed with GetInfo, in ms (default 5 s). */
  probeEveryMs?: number;
  pollMs?: number;
}

interface AgentTrack {
  progress: AgentProgress;
  watch: 'watching' | 'ended' | 'failed' | 'gone';
  watchEndedAt?: number;
  storeFinishedAt?: number;
  /** Last sign of life besides heartbeats: a WatchRun event or an answered GetInfo (controller clock, ms). */
  aliveAt: number;
  probing: boolean;
  probedAt: number;
  done: boolean;
}

/**
 * Follows a dispatched run until every agent is finished in the store, or given up on: WatchRun streams drive
 * the progress display, the store (fed by the collector from NATS) decides completion, heartbeats decide loss.
 * Resolves `interrupted` when `signal` aborts (the run goes on on the agents).
 */
export async function monitorRun(options: RunMonitorOptions): Promise<'done' | 'interrupted'> {
  const { runId, store, display, signal } = options;
  const storeGraceMs = options.storeGraceMs ?? 30_000;
  const settleMs = options.settleMs ?? 5_000;
  const unreachableLostMs = options.unreachableLostMs ?? 30_000;
  const probeEveryMs = options.probeEveryMs ?? 5_000;
  const policy: AgentRunPolicy = {
    thresholds: options.thresholds,
    storeGraceMs,
    settleMs,
    unreachableLostMs,
    probeEveryMs,
  };
  const clients = new Map(options.agents.map((a) => [a.agentId, a.client]));
  const watchAbort = new AbortController();
  const stopWatches = (): void => watchAbort.abort();
  signal.addEventListener('abort', stopWatches);

  const tracks = new Map<string, AgentTrack>(
    options.agents.map((a) => [
      a.agentId,
      {
        progress: startingProgress(a.agentId),
        watch: 'watching',
        aliveAt: Date.now(),
        probing: false,
        probedAt: 0,
        done: false,
      },
    ]),
  );
  const finish = (track: AgentTrack, statusText: string, abandon?: string): void => {
    track.done = true;
    track.progress.status = statusText;
    if (abandon) store.abandonAgent(runId, track.progress.agentId, abandon);
    display.update(track.progress);
  };

  const watchers = options.agents.map(async ({ agentId, client }) => {
    const track = tracks.get(agentId) as AgentTrack;
    let fromSeq = 1;
    while (!track.done && !watchAbort.signal.aborted) {
      try {
        for await (const update of client.watchRun(runId, fromSeq, watchAbort.signal)) {
          fromSeq = update.seq + 1;
          track.watch = 'watching';
          track.aliveAt = Date.now();
          applyEvent(track.progress, update.event_json);
          display.update(track.progress);
        }
        if (!watchAbort.signal.aborted) {
          track.watch = 'ended';
          track.watchEndedAt = Date.now();
        }
        return;
      } catch (error) {
        if (error instanceof AgentCallError && error.code === status.NOT_FOUND) {
          track.watch = 'gone';
          return;
        }
        track.watch = 'failed';
        if (!track.done) {
          track.progress.status = 'watch lost, waiting for events';
          display.update(track.progress);
        }
        await sleep(2000, watchAbort.signal);
      }
    }
  });

  try {
    while (!signal.aborted) {
      const now = Date.now();
      const completeness = runCompleteness(store, runId);
      for (const agent of completeness.agents) {
        const track = tracks.get(agent.agentId);
        if (!track || track.done) continue;
        const row = agent.row;
        // The store is the truth; WatchRun only makes the display faster.
        applyStoreProgress(track.progress, row, track.watch === 'watching');
        const heard = options.heartbeats?.snapshot().get(agent.agentId);
        const decision = decideAgentRun(
          {
            now,
            storeComplete: agent.state === 'complete',
            storeHasRunFinished: row.lastSeq !== null,
            storeFinishedAt: track.storeFinishedAt ?? null,
            outcome: row.outcome,
            watch: track.watch,
            watchEndedAt: track.watchEndedAt ?? null,
            aliveAt: track.aliveAt,
            heartbeat: heard
              ? { receivedAtMs: heard.receivedAtMs, intervalSeconds: heard.heartbeat.intervalSeconds }
              : null,
            probing: track.probing,
            probedAt: track.probedAt,
          },
          policy,
        );
        if (decision.kind === 'finished') {
          finish(track, decision.status, decision.abandon);
          continue;
        }
        if (decision.storeFinishedAt !== null) track.storeFinishedAt = decision.storeFinishedAt;
        if (decision.probe) {
          track.probing = true;
          track.probedAt = now;
          const client = clients.get(agent.agentId) as AgentClient;
          client
            .getInfo(decision.probeDeadlineMs)
            .then(
              () => {
                track.aliveAt = Date.now();
              },
              () => undefined,
            )
            .finally(() => {
              track.probing = false;
            });
        }
        display.update(track.progress);
      }
      if ([...tracks.values()].every((t) => t.done)) return 'done';
      await sleep(options.pollMs ?? 200, signal);
    }
    return 'interrupted';
  } finally {
    signal.removeEventListener('abort', stopWatches);
    watchAbort.abort();
    await Promise.allSettled(watchers);
  }
}

/** Updates the display state from one WatchRun event (malformed ones are ignored: the collector judges those). */
function applyEvent(progress: AgentProgress, json: string): void {
  let event;
  try {
    event = parseEvent(json);
  } catch {
    return;
  }
  applyProgressEvent(progress, event);
}
