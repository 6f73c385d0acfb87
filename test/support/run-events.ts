import { EVENT_SCHEMA_VERSION, type RigbenchEvent } from '@rigbench/shared';
import { chatSample } from './chat-sample.js';

/** Event `seq` of a run of `count` events (see {@link makeRunEvents}); lets benchmarks create them lazily. */
export function makeRunEvent(agentId: string, runId: string, seq: number, count: number): RigbenchEvent {
  const base = { v: EVENT_SCHEMA_VERSION, runId, agentId, seq, time: '2026-01-01T00:00:00.000Z' };
  if (seq === 1) {
    return { ...base, type: 'run.accepted', planName: 'bench', planHash: 'sha', plan: {}, caseCount: 1 };
  }
  if (seq === count) {
    return {
      ...base,
      type: 'run.finished',
      outcome: 'completed',
      samplesPerCase: { c1: count - 2 },
      caseOutcomes: { c1: 'ok' },
      lastSeq: count,
    };
  }
  return {
    ...base,
    type: 'sample.recorded',
    caseId: 'c1',
    sample: chatSample({ caseId: 'c1', repetition: seq - 2 }),
  };
}

/**
 * `count` events of one run, seq 1..count: `run.accepted`, then `sample.recorded` events, then `run.finished`.
 * The shapes are realistic (about 600 bytes of JSON per sample event), the values synthetic.
 */
export function makeRunEvents(agentId: string, runId: string, count: number): RigbenchEvent[] {
  return Array.from({ length: count }, (_, i) => makeRunEvent(agentId, runId, i + 1, count));
}
