/** The envelope of a run's events: schema version, run, agent, a gap-free seq and the time. */
import { EVENT_SCHEMA_VERSION, type EventPayload, type RigbenchEvent } from '@rigbench/shared';

/** Stamps payloads of one run into full events; `nextSeq()` is the seq the next one gets. */
export type Stamper = (<P extends EventPayload>(payload: P) => RigbenchEvent) & { nextSeq(): number };

/** Wraps payloads into full events with a gap-free seq starting after `lastSeq` (default: at 1). */
export function createStamper(agentId: string, runId: string, now: () => Date, lastSeq = 0): Stamper {
  let seq = lastSeq;
  const stamp = (<P extends EventPayload>(payload: P): RigbenchEvent => {
    seq += 1;
    const { type, ...rest } = payload;
    return {
      v: EVENT_SCHEMA_VERSION,
      type,
      runId,
      agentId,
      seq,
      time: now().toISOString(),
      ...rest,
    } as unknown as RigbenchEvent;
  }) as Stamper;
  stamp.nextSeq = () => seq + 1;
  return stamp;
}
