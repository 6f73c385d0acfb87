import { describe, expect, test } from '@jest/globals';
import { decideAgentRun, type AgentRunPolicy, type AgentRunView } from './agent-run-policy.js';

const policy: AgentRunPolicy = {
  thresholds: { staleAfterIntervals: 2, lostAfterIntervals: 5 },
  storeGraceMs: 30_000,
  settleMs: 5_000,
  unreachableLostMs: 30_000,
  probeEveryMs: 5_000,
};

/** An agent mid-run at t = 100 s: WatchRun open, heard 1 s ago on both channels, heartbeat every 2 s. */
function view(overrides: Partial<AgentRunView> = {}): AgentRunView {
  return {
    now: 100_000,
    storeComplete: false,
    storeHasRunFinished: false,
    storeFinishedAt: null,
    outcome: null,
    watch: 'watching',
    watchEndedAt: null,
    aliveAt: 99_000,
    heartbeat: { receivedAtMs: 99_000, intervalSeconds: 2 },
    probing: false,
    probedAt: 0,
    ...overrides,
  };
}

describe('agent run policy (pure: clock, store row, WatchRun state and heartbeat in; decision out)', () => {
  test('a live agent is running and not probed', () => {
    expect(decideAgentRun(view(), policy)).toEqual({
      kind: 'running',
      probe: false,
      probeDeadlineMs: 2000,
      storeFinishedAt: null,
    });
  });

  test('complete in the store: finished with the outcome, whatever else is going on', () => {
    const d = decideAgentRun(
      view({ storeComplete: true, outcome: 'completed', watch: 'failed', aliveAt: 0 }),
      policy,
    );
    expect(d).toEqual({ kind: 'finished', status: 'finished (completed)' });
  });

  test('lost after silence: no heartbeat, WatchRun event or probe answer for 5 intervals', () => {
    const quiet = { aliveAt: 89_000, heartbeat: { receivedAtMs: 89_000, intervalSeconds: 2 } };
    expect(decideAgentRun(view({ ...quiet, now: 98_999 }), policy).kind).toBe('running');
    expect(decideAgentRun(view({ ...quiet, now: 99_001 }), policy)).toEqual({
      kind: 'finished',
      status: 'lost',
      abandon: 'agent lost: no heartbeat or other sign of life for 10 s',
    });
  });

  test('a NATS outage is not a loss: old heartbeat, but WatchRun events keep the agent alive', () => {
    const d = decideAgentRun(
      view({ heartbeat: { receivedAtMs: 10_000, intervalSeconds: 2 }, aliveAt: 99_500 }),
      policy,
    );
    expect(d.kind).toBe('running');
  });

  test('a long case is not a loss: WatchRun quiet, heartbeats going on', () => {
    expect(decideAgentRun(view({ aliveAt: 1_000 }), policy).kind).toBe('running');
  });

  test('stale agents are probed with GetInfo, not more often than the probe gap, never twice at once', () => {
    const stale = { aliveAt: 95_000, heartbeat: { receivedAtMs: 95_000, intervalSeconds: 2 } };
    expect(decideAgentRun(view(stale), policy)).toMatchObject({ kind: 'running', probe: true });
    expect(decideAgentRun(view({ ...stale, probing: true }), policy)).toMatchObject({ probe: false });
    expect(decideAgentRun(view({ ...stale, probedAt: 99_000 }), policy)).toMatchObject({ probe: false });
  });

  test('no heartbeat ever heard (NATS down from the start): lost only once WatchRun is down and probes fail for 30 s', () => {
    const noHeartbeat = { heartbeat: null, aliveAt: 60_000 };
    // WatchRun still open: an agent that streams is never given up, however long its case.
    expect(decideAgentRun(view({ ...noHeartbeat, watch: 'watching' }), policy).kind).toBe('running');
    expect(decideAgentRun(view({ ...noHeartbeat, watch: 'failed', now: 89_000 }), policy).kind).toBe(
      'running',
    );
    expect(decideAgentRun(view({ ...noHeartbeat, watch: 'failed' }), policy)).toEqual({
      kind: 'finished',
      status: 'lost',
      abandon: 'agent unreachable for 40 s',
    });
  });

  test('the agent no longer knows the run (restarted): lost, with that reason', () => {
    expect(decideAgentRun(view({ watch: 'gone' }), policy)).toEqual({
      kind: 'finished',
      status: 'lost',
      abandon: 'the agent no longer knows the run (restarted?)',
    });
  });

  test('run.finished in the store but events missing: waits settleMs for stragglers, then finished with data missing', () => {
    const first = decideAgentRun(view({ storeHasRunFinished: true, outcome: 'completed' }), policy);
    expect(first).toEqual({ kind: 'running', probe: false, probeDeadlineMs: 0, storeFinishedAt: 100_000 });
    const later = view({ storeHasRunFinished: true, outcome: 'completed', storeFinishedAt: 94_000 });
    expect(decideAgentRun(later, policy)).toEqual({
      kind: 'finished',
      status: 'finished (completed), data missing',
    });
  });

  test('WatchRun showed the end but run.finished never reached the store: given up after the store grace', () => {
    const ended = { watch: 'ended' as const, watchEndedAt: 80_000 };
    expect(decideAgentRun(view(ended), policy).kind).toBe('running');
    expect(decideAgentRun(view({ ...ended, now: 110_001 }), policy)).toEqual({
      kind: 'finished',
      status: 'finished, events missing',
      abandon: "run.finished did not reach the store within 30 s (check the agent's NATS connection)",
    });
  });
});
