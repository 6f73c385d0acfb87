/**
 * Every NATS name rigbench uses, in one place: the event stream, its subjects, message ids, heartbeat subjects
 * and reply inboxes. Agents publish events on `rigbench.events.<agentId>.<runId>` (JetStream) and heartbeats on
 * `rigbench.heartbeat.<agentId>` (core NATS); controllers read both. deploy/nats grants per-agent users exactly
 * these subjects, so a change here is a change to the NATS permissions too.
 */

/** The JetStream stream that holds every agent's events. */
export const EVENT_STREAM = 'RIGBENCH_EVENTS';
/** Prefix of event subjects: `rigbench.events.<agentId>.<runId>`. */
export const EVENT_SUBJECT_PREFIX = 'rigbench.events';
/** The event stream's subject filter, every agent and run: `rigbench.events.>`. */
export const EVENT_STREAM_SUBJECTS = `${EVENT_SUBJECT_PREFIX}.>`;
/** Core NATS (not JetStream) subject prefix for agent heartbeats: `rigbench.heartbeat.<agentId>`. */
export const HEARTBEAT_SUBJECT_PREFIX = 'rigbench.heartbeat';
/** Every agent's heartbeat subject: `rigbench.heartbeat.*`. */
export const HEARTBEAT_SUBJECTS = `${HEARTBEAT_SUBJECT_PREFIX}.*`;

/** Subject of one run's events from one agent. */
export const eventSubject = (agentId: string, runId: string): string =>
  `${EVENT_SUBJECT_PREFIX}.${agentId}.${runId}`;
/** `Nats-Msg-Id` of an event, `<runId>.<agentId>.<seq>`: JetStream drops a repeat inside the duplicate window. */
export const eventMessageId = (runId: string, agentId: string, seq: number): string =>
  `${runId}.${agentId}.${seq}`;
/** Subject of one agent's heartbeats. */
export const heartbeatSubject = (agentId: string): string => `${HEARTBEAT_SUBJECT_PREFIX}.${agentId}`;
/**
 * An agent's own reply-subject prefix (nats.js `inboxPrefix`): `_INBOX.<agentId>`. With per-agent NATS users each
 * agent may subscribe to its own inbox only (`_INBOX.<agentId>.>`), so no agent reads another's replies; a shared
 * user allowed `_INBOX.>` still matches it.
 */
export const agentInboxPrefix = (agentId: string): string => `_INBOX.${agentId}`;
