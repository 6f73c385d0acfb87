import type { AgentMetrics } from '../metrics/agent-metrics.js';
import type { EventPublisher } from './event-publisher.js';

/** Feeds the publisher's acks, errors, connection state and outbox use into the agent metrics. */
export function bindPublisherMetrics(publisher: EventPublisher, metrics: AgentMetrics): void {
  publisher.on('acked', (count) => metrics.eventsAcknowledged(count));
  publisher.on('publishError', () => metrics.publishFailed());
  publisher.on('connection', (connected) => metrics.setNatsConnected(connected));
  publisher.on('outbox', (usage) => metrics.setOutbox(usage.pending, usage.bytes, usage.ratio));
  publisher.on('outboxWarning', (usage) => metrics.setOutbox(usage.pending, usage.bytes, usage.ratio));
  publisher.on('outboxFull', () => metrics.outboxRejectedEvents());
  publisher.on('deadLetter', (letter) => metrics.outboxDeadLetter(letter.reason));
}
