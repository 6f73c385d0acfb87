import type { FleetAgent } from '../fleet/fleet-view.js';
import { NoTargetsError, UnknownAgentError } from './dispatch-errors.js';
import { resolveTargets } from './resolve-targets.js';
import { newRunId } from './run-id.js';

const agent = (
  agentId: string,
  labels: Record<string, string>,
  health: FleetAgent['health'],
): FleetAgent => ({
  agentId,
  address: `${agentId}:1`,
  labels,
  health,
  source: 'heartbeat',
  version: null,
  busy: false,
  runId: null,
  heartbeatAgeMs: 1000,
  intervalSeconds: 5,
  credentialWithheld: null,
  endpoint: { agentId, address: `${agentId}:1` },
});

const fleet = [
  agent('a', { gpu: 'p104', room: 'dorm' }, 'up'),
  agent('b', { gpu: 'p104' }, 'lost'),
  agent('c', { gpu: 'none' }, 'unknown'),
];

describe('resolveTargets', () => {
  test('targets - ids are taken whatever their health; unknown ids are errors naming the known ones', () => {
    expect(
      resolveTargets(fleet, { agents: ['b'], selector: {} }).targets.map((t) => t.agent.agentId),
    ).toEqual(['b']);
    expect(() => resolveTargets(fleet, { agents: ['zz'], selector: {} })).toThrow(UnknownAgentError);
    expect(() => resolveTargets(fleet, { agents: ['zz'], selector: {} })).toThrow(/known: a, b, c/);
  });

  test('targets - a selector takes matching live agents and skips lost ones with a reason', () => {
    const result = resolveTargets(fleet, { agents: [], selector: { gpu: 'p104' } });
    expect(result.targets.map((t) => [t.agent.agentId, t.explicit])).toEqual([['a', false]]);
    expect(result.skipped).toEqual([{ agentId: 'b', why: 'lost (last heartbeat 1 s ago)' }]);
    expect(() => resolveTargets(fleet, { agents: [], selector: { gpu: 'h100' } })).toThrow(NoTargetsError);
  });

  test('targets - no ids and no selector means every agent not known to be down', () => {
    expect(resolveTargets(fleet, { agents: [], selector: {} }).targets.map((t) => t.agent.agentId)).toEqual([
      'a',
      'c',
    ]);
  });

  test('newRunId - sortable by time, valid as a subject token', () => {
    const a = newRunId(new Date('2026-11-25T19:12:26Z'));
    const b = newRunId(new Date('2026-11-25T19:12:27Z'));
    expect(a).toMatch(/^20261125-191226-[0-9a-z]{5}$/);
    expect(a < b).toBe(true);
  });
});
