import { Counter, Gauge, type Registry } from 'prom-client';

/** Why an outbox entry went to the dead-letter file instead of JetStream. */
export type DeadLetterReason = 'corrupt' | 'too-large' | 'refused';

const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = ['corrupt', 'too-large', 'refused'];

/**
 * How events get from the agent to JetStream: the durable outbox (depth, disk use, refusals, dead letters), the
 * acknowledgements and failed publishes, and the NATS connection. Every series carries `node` and exists from
 * the first scrape at 0, so alerts and `rate()` see a 0 rather than nothing.
 */
export class DeliveryMetrics {
  private readonly outboxPending: Gauge<'node'>;
  private readonly outboxBytes: Gauge<'node'>;
  private readonly outboxCapacity: Gauge<'node'>;
  private readonly outboxRejected: Counter<'node'>;
  private readonly outboxDeadLetters: Counter<'node' | 'reason'>;
  private readonly eventsAcked: Counter<'node'>;
  private readonly publishErrors: Counter<'node'>;
  private readonly natsConnected: Gauge<'node'>;

  constructor(
    registry: Registry,
    private readonly node: string,
  ) {
    const gauge = (name: string, help: string) =>
      new Gauge({ name, help, labelNames: ['node'], registers: [registry] });
    const counter = (name: string, help: string) =>
      new Counter({ name, help, labelNames: ['node'], registers: [registry] });
    this.outboxPending = gauge(
      'rigbench_outbox_pending_events',
      'Events written to the on-disk outbox and not yet acknowledged by JetStream.',
    );
    this.outboxBytes = gauge('rigbench_outbox_bytes', 'Disk space used by the event outbox, in bytes.');
    this.outboxCapacity = gauge(
      'rigbench_outbox_capacity_ratio',
      'Outbox disk use as a fraction of its configured bound (1 = full, appends rejected).',
    );
    this.outboxRejected = counter(
      'rigbench_outbox_rejected_events_total',
      'Events rejected because the outbox reached its disk bound.',
    );
    this.outboxDeadLetters = new Counter({
      name: 'rigbench_outbox_dead_letters_total',
      help:
        'Outbox entries moved to dead-letter.jsonl instead of being published: corrupt on disk (checksum), ' +
        'too large for NATS, or refused by JetStream for good.',
      labelNames: ['node', 'reason'],
      registers: [registry],
    });
    this.eventsAcked = counter(
      'rigbench_events_acked_total',
      'Events acknowledged by JetStream and removed from the outbox.',
    );
    this.publishErrors = counter(
      'rigbench_event_publish_errors_total',
      'Failed JetStream publish attempts (each is retried).',
    );
    this.natsConnected = gauge('rigbench_nats_connected', '1 while the agent is connected to NATS, else 0.');
    const own = { node };
    this.outboxPending.set(own, 0);
    this.outboxBytes.set(own, 0);
    this.outboxCapacity.set(own, 0);
    this.outboxRejected.inc(own, 0);
    for (const reason of DEAD_LETTER_REASONS) this.outboxDeadLetters.inc({ node, reason }, 0);
    this.eventsAcked.inc(own, 0);
    this.publishErrors.inc(own, 0);
    this.natsConnected.set(own, 0);
  }

  /**
   * Outbox state: unacknowledged events, disk use in bytes and disk use as a fraction of the bound (0–1).
   */
  setOutbox(pendingEvents: number, bytes: number, capacityRatio: number): void {
    const own = { node: this.node };
    this.outboxPending.set(own, pendingEvents);
    this.outboxBytes.set(own, bytes);
    this.outboxCapacity.set(own, capacityRatio);
  }

  /** Counts events the outbox refused because it was full. */
  outboxRejectedEvents(count = 1): void {
    this.outboxRejected.inc({ node: this.node }, count);
  }

  /** Counts an outbox entry moved to the dead-letter file, by why. */
  outboxDeadLetter(reason: DeadLetterReason): void {
    this.outboxDeadLetters.inc({ node: this.node, reason });
  }

  /** Counts events JetStream acknowledged. */
  eventsAcknowledged(count = 1): void {
    this.eventsAcked.inc({ node: this.node }, count);
  }

  /** Counts failed publish attempts. */
  publishFailed(count = 1): void {
    this.publishErrors.inc({ node: this.node }, count);
  }

  /** Marks the NATS connection up or down. */
  setNatsConnected(connected: boolean): void {
    this.natsConnected.set({ node: this.node }, connected ? 1 : 0);
  }
}
