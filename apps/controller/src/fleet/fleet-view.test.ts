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

const fleet = {
  staleAfterIntervals: 2.5,
  lostAfterIntervals: 6,
  listenMs: 1000,
  trustHeartbeatAddresses: false,
};

describe('fleet', () => {
  test('agentHealth - up, stale and lost by age in multiples of the agent interval', () => {
    expect(agentHealth(12_000, 5, fleet)).toBe('up');
    expect(agentHealth(13_000, 5, fleet)).toBe('stale');
    expect(agentHealth(31_000, 5, fleet)).toBe('lost');
    expect(agentHealth(31_000, 60, fleet)).toBe('up');
  });

  test('fleetView - merges configured agents with heartbeats; configured address and token win; heartbeat-only agents get no token', () => {
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
      ['rig-b', 'rig-b.lan:50051', 'lost', 'heartbeat', undefined, { gpu: 'p104' }],
    ]);
    expect(view[1]?.credentialWithheld).toMatch(/rig-b\.lan:50051 comes from a heartbeat only/);
    expect(view[0]?.credentialWithheld).toBeNull();
  });

  test('fleetView - a forged heartbeat gets no token; per-agent tokens, TLS naming the agent and explicit trust do', () => {
    const now = 1_000_000;
    const forged = new Map([
      ['rig-a', { heartbeat: { ...heartbeat('rig-a'), address: 'evil.example:50051' }, receivedAtMs: now }],
      ['rig-c', { heartbeat: heartbeat('rig-c'), receivedAtMs: now }],
    ]);
    const base = {
      agents: [{ id: 'rig-a', address: '10.0.0.5:50051', labels: {} }],
      agentToken: 'shared',
      agentTokens: { 'rig-a': 'token-a', 'rig-c': 'token-c' },
      fleet,
    };
    // rig-a: the configured address wins over the heartbeat's, with its own token from the tokens dir.
    // rig-c: heard only: nothing is sent.
    const plain = fleetView(base, forged, [], now);
    expect(plain.map((a) => [a.agentId, a.endpoint.address, a.endpoint.token])).toEqual([
      ['rig-a', '10.0.0.5:50051', 'token-a'],
      ['rig-c', 'rig-c.lan:50051', undefined],
    ]);
    const tls = fleetView({ ...base, agentTls: { ca: '/etc/rigbench/ca.pem' } }, forged, [], now);
    expect(tls[1]?.endpoint).toMatchObject({ token: 'token-c', tlsServerName: 'rig-c' });
    const trusted = fleetView(
      { ...base, fleet: { ...fleet, trustHeartbeatAddresses: true } },
      forged,
      [],
      now,
    );
    expect(trusted[1]?.endpoint.token).toBe('token-c');
    expect(trusted[1]?.endpoint.tlsServerName).toBeUndefined();
  });
});
