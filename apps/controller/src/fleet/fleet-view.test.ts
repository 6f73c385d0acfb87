import type { AgentHeartbeat } from '@rigbench/shared';
import { agentHealth } from './agent-health.js';
import { fleetView } from './fleet-view.js';

const heartbeat = (agentId: string, labels: Record<string, string> = {}): AgentHeartbeat => ({
  v: 1,
  type: 'agent.heartbeat',
  agentId,
  labels,
  address: `${agentId}.lan:50051`,
  version: '0.1.0',
  busy: false,
  runId: null,
  intervalSeconds: 5,
  time: '2026-01-01T00:00:00Z',
});

const fleet = { staleAfterIntervals: 2.5, lostAfterIntervals: 6, listenMs: 1000 };

describe('fleet', () => {
  test('agentHealth - up, stale and lost by age in multiples of the agent interval', () => {
    expect(agentHealth(12_000, 5, fleet)).toBe('up');
    expect(agentHealth(13_000, 5, fleet)).toBe('stale');
    expect(agentHealth(31_000, 5, fleet)).toBe('lost');
    expect(agentHealth(31_000, 60, fleet)).toBe('up');
  });

  test('fleetView - merges configured agents with heartbeats; configured address and token win', () => {
    const now = 1_000_000;
    const view = fleetView(
      {
        agents: [{ id: 'rig-a', address: '10.0.0.5:50051', token: 'own', labels: { room: 'dorm' } }],
        agentToken: 'shared',
        fleet,
      },
      new Map([['rig-b', { heartbeat: heartbeat('rig-b', { gpu: 'p104' }), receivedAtMs: now - 40_000 }]]),
      [{ ...heartbeat('rig-a', { gpu: 'p104' }), receivedAtMs: now - 1000, busy: false, runId: null }],
      now,
    );
    expect(view.map((a) => [a.agentId, a.address, a.health, a.source, a.endpoint.token, a.labels])).toEqual([
      ['rig-a', '10.0.0.5:50051', 'up', 'config+heartbeat', 'own', { room: 'dorm', gpu: 'p104' }],
      ['rig-b', 'rig-b.lan:50051', 'lost', 'heartbeat', 'shared', { gpu: 'p104' }],
    ]);
  });
});
