import type { NatsConnection } from '@nats-io/transport-node';
import { EVENT_SCHEMA_VERSION, heartbeatSubject, type AgentHeartbeat } from '@rigbench/shared';
import { silentLogger, type Logger } from '@rigbench/shared';

/** Where the heartbeat gets its connection: the {@link EventPublisher}'s, so the agent holds one connection. */
export interface ConnectionSource {
  connection(): NatsConnection | undefined;
  readonly isConnected: boolean;
}

/** The changing part of a heartbeat, read at every beat. */
export interface HeartbeatState {
  labels: Record<string, string>;
  /** gRPC address the controller should dial, `host:port`. */
  address: string;
  version: string;
  busy: boolean;
  runId: string | null;
}

/** Options for {@link HeartbeatPublisher}. */
export interface HeartbeatPublisherOptions {
  agentId: string;
  source: ConnectionSource;
  /** Time between heartbeats, in milliseconds (default 5,000). */
  intervalMs?: number;
  /** Called at every beat. */
  state: () => HeartbeatState;
  logger?: Logger;
}

/**
 * Publishes an {@link AgentHeartbeat} on core NATS (`rigbench.heartbeat.<agentId>`) every interval, and at
 * once on `start()` and on `beat()` (e.g. when the agent turns busy). Heartbeats are not stored: while NATS is
 * down they are skipped rather than queued, since a stale heartbeat says nothing.
 */
export class HeartbeatPublisher {
  private readonly options: HeartbeatPublisherOptions;
  private readonly intervalMs: number;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private sent = 0;

  constructor(options: HeartbeatPublisherOptions) {
    this.options = options;
    this.intervalMs = options.intervalMs ?? 5_000;
    if (!(this.intervalMs >= 100))
      throw new TypeError(`heartbeat intervalMs must be >= 100, got ${this.intervalMs}`);
    this.log = options.logger ?? silentLogger;
  }

  /** Heartbeats published so far. */
  get count(): number {
    return this.sent;
  }

  /** Starts beating; the first heartbeat goes out now (when connected). */
  start(): void {
    if (this.timer) return;
    this.beat();
    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops beating. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Publishes one heartbeat now; false when not connected. */
  beat(): boolean {
    const nc = this.options.source.connection();
    if (!nc || !this.options.source.isConnected || nc.isClosed() || nc.isDraining()) return false;
    const state = this.options.state();
    const heartbeat: AgentHeartbeat = {
      v: EVENT_SCHEMA_VERSION,
      type: 'agent.heartbeat',
      agentId: this.options.agentId,
      labels: state.labels,
      address: state.address,
      version: state.version,
      busy: state.busy,
      runId: state.runId,
      intervalSeconds: this.intervalMs / 1000,
      time: new Date().toISOString(),
    };
    try {
      nc.publish(heartbeatSubject(this.options.agentId), JSON.stringify(heartbeat));
      this.sent += 1;
      return true;
    } catch (error) {
      this.log.warn('heartbeat publish failed', { error: String(error) });
      return false;
    }
  }
}
