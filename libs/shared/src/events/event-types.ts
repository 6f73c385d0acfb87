import type { z } from 'zod';
import type {
  caseFinishedSchema,
  caseStartedSchema,
  eventEnvelopeShape,
  eventSchema,
  loadLevelRecordedSchema,
  modelDownloadSchema,
  runAcceptedSchema,
  runFinishedSchema,
  sampleRecordedSchema,
} from './event-schema.js';
import { CASE_OUTCOMES, EVENT_SCHEMA_VERSION, RUN_OUTCOMES } from './event-schema.js';

export { CASE_OUTCOMES, EVENT_SCHEMA_VERSION, RUN_OUTCOMES };

/**
 * Events an agent publishes to JetStream, one stream for the fleet.
 * Subject `rigbench.events.<agentId>.<runId>`, message id `<runId>.<agentId>.<seq>` (JetStream de-duplication).
 * The event types are inferred from the schemas in `event-schema.ts` (the one definition; field docs live there).
 */
// The subjects and the stream name live with the rest of the NATS layer; re-exported here for event code.
export {
  EVENT_STREAM,
  EVENT_SUBJECT_PREFIX,
  HEARTBEAT_SUBJECT_PREFIX,
  agentInboxPrefix,
  eventMessageId,
  eventSubject,
  heartbeatSubject,
} from '../nats/nats-subjects.js';

/** Fields every event carries: schema version, run, agent, a gap-free seq and the agent's time. */
type EventEnvelopeKey = keyof typeof eventEnvelopeShape;

export type RunAcceptedEvent = z.infer<typeof runAcceptedSchema>;
export type CaseStartedEvent = z.infer<typeof caseStartedSchema>;
export type SampleRecordedEvent = z.infer<typeof sampleRecordedSchema>;
export type CaseFinishedEvent = z.infer<typeof caseFinishedSchema>;
export type RunFinishedEvent = z.infer<typeof runFinishedSchema>;
export type ModelDownloadEvent = z.infer<typeof modelDownloadSchema>;
export type LoadLevelRecordedEvent = z.infer<typeof loadLevelRecordedSchema>;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

/** Every event on the event stream, discriminated by `type`. */
export type RigbenchEvent = z.infer<typeof eventSchema>;
export type RigbenchEventType = RigbenchEvent['type'];

/** Distributive Omit so each union member keeps its own fields. */
export type EventPayload<E extends RigbenchEvent = RigbenchEvent> = E extends RigbenchEvent
  ? Omit<E, EventEnvelopeKey>
  : never;

/** Published on core NATS every few seconds by each agent; the controller's fleet view is built from these. */
export interface AgentHeartbeat {
  v: typeof EVENT_SCHEMA_VERSION;
  type: 'agent.heartbeat';
  agentId: string;
  labels: Record<string, string>;
  /** gRPC address the controller should dial, `host:port`. */
  address: string;
  version: string;
  busy: boolean;
  runId: string | null;
  /** Interval the agent promises, in seconds; the controller derives stale/lost from it. */
  intervalSeconds: number;
  time: string;
}
