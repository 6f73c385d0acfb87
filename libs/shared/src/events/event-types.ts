import type { z } from 'zod';
import type {
  caseFinishedSchema,
  caseStartedSchema,
  eventEnvelopeShape,
  eventSchema,
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
export const EVENT_STREAM = 'RIGBENCH_EVENTS';
export const EVENT_SUBJECT_PREFIX = 'rigbench.events';
/** Core NATS (not JetStream) subject prefix for agent heartbeats: `rigbench.heartbeat.<agentId>`. */
export const HEARTBEAT_SUBJECT_PREFIX = 'rigbench.heartbeat';

export const eventSubject = (agentId: string, runId: string): string =>
  `${EVENT_SUBJECT_PREFIX}.${agentId}.${runId}`;
export const eventMessageId = (runId: string, agentId: string, seq: number): string =>
  `${runId}.${agentId}.${seq}`;
export const heartbeatSubject = (agentId: string): string => `${HEARTBEAT_SUBJECT_PREFIX}.${agentId}`;
/**
 * An agent's own reply-subject prefix (nats.js `inboxPrefix`): `_INBOX.<agentId>`. With per-agent NATS users each
 * agent may subscribe to its own inbox only (`_INBOX.<agentId>.>`), so no agent reads another's replies; a shared
 * user allowed `_INBOX.>` still matches it.
 */
export const agentInboxPrefix = (agentId: string): string => `_INBOX.${agentId}`;

/** Fields every event carries: schema version, run, agent, a gap-free seq and the agent's time. */
type EventEnvelopeKey = keyof typeof eventEnvelopeShape;

export type RunAcceptedEvent = z.infer<typeof runAcceptedSchema>;
export type CaseStartedEvent = z.infer<typeof caseStartedSchema>;
export type SampleRecordedEvent = z.infer<typeof sampleRecordedSchema>;
export type CaseFinishedEvent = z.infer<typeof caseFinishedSchema>;
export type RunFinishedEvent = z.infer<typeof runFinishedSchema>;
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
