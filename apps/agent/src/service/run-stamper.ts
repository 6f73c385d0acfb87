/** The envelope of a run's events: schema version, run, agent, a gap-free seq and the time. */
import { EVENT_SCHEMA_VERSION, type EventPayload, type RigbenchEvent } from '@rigbench/shared';

/** Stamps payloads of one run into full events; `nextSeq()` is the seq the next one gets. */
export type Stamper = ((payload: EventPayload) => RigbenchEvent) & { nextSeq(): number };

/** Wraps payloads into full events with a gap-free seq starting after `lastSeq` (default: at 1). */
export function createStamper(agentId: string, runId: string, now: () => Date, lastSeq = 0): Stamper {
  let seq = lastSeq;
  const stamp = (payload: EventPayload): RigbenchEvent => {
    seq += 1;
    // `type` leads the envelope, as on the wire since v1 (key order carries no meaning, but keeps events diffable);
    // the payload's own `type` (same value) is the one typed per event.
    const envelope = {
      v: EVENT_SCHEMA_VERSION,
      type: payload.type,
      runId,
      agentId,
      seq,
      time: now().toISOString(),
    };
    return { ...envelope, ...payload };
  };
  return Object.assign(stamp, { nextSeq: () => seq + 1 });
}
