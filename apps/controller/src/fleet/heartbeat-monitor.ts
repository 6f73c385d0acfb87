import { z } from 'zod';
import {
  EVENT_SCHEMA_VERSION,
  heartbeatSubject,
  HEARTBEAT_SUBJECTS,
  silentLogger,
  type AgentHeartbeat,
  type Logger,
} from '@rigbench/shared';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';

const heartbeatSchema = z.looseObject({
  v: z.literal(EVENT_SCHEMA_VERSION),
  type: z.literal('agent.heartbeat'),
  agentId: z.string().regex(/^[A-Za-z0-9_-]+$/),
  labels: z.record(z.string(), z.string()),
  address: z.string().min(1),
  version: z.string(),
  busy: z.boolean(),
  runId: z.string().nullable(),
  intervalSeconds: z.number().positive(),
  time: z.string(),
});

/** Parses one heartbeat message; null when it is not a valid v1 heartbeat. */
export function parseHeartbeat(data: Uint8Array): AgentHeartbeat | null {
  try {
    const result = heartbeatSchema.safeParse(JSON.parse(new TextDecoder().decode(data)));
    return result.success ? (result.data as AgentHeartbeat) : null;
  } catch {
    return null;
  }
}

/** A heartbeat with the controller's receive time, in milliseconds since the epoch. */
export interface ReceivedHeartbeat {
  heartbeat: AgentHeartbeat;
  receivedAtMs: number;
}

/**
 * Listens to `rigbench.heartbeat.*` on core NATS and keeps the latest heartbeat per agent. Heartbeats whose
 * subject names another agent than their body are ignored, as are malformed ones (counted in `rejected`).
 */
export class HeartbeatMonitor {
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private readonly latest = new Map<string, ReceivedHeartbeat>();
  private readonly listeners = new Set<(received: ReceivedHeartbeat) => void>();
  rejected = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: Logger = silentLogger,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    if (this.subscription) return;
    const sub = this.nc.subscribe(HEARTBEAT_SUBJECTS);
    this.subscription = sub;
    this.loop = (async () => {
      for await (const msg of sub) {
        const heartbeat = parseHeartbeat(msg.data);
        if (heartbeat === null || msg.subject !== heartbeatSubject(heartbeat.agentId)) {
          this.rejected += 1;
          this.log.warn('heartbeat rejected', { subject: msg.subject });
          continue;
        }
        const received = { heartbeat, receivedAtMs: this.now() };
        this.latest.set(heartbeat.agentId, received);
        for (const listener of this.listeners) listener(received);
      }
    })();
  }

  /** Calls `listener` for every accepted heartbeat; returns the unsubscribe function. */
  onHeartbeat(listener: (received: ReceivedHeartbeat) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Latest heartbeat per agent id. */
  snapshot(): ReadonlyMap<string, ReceivedHeartbeat> {
    return new Map(this.latest);
  }

  /**
   * Resolves once every id in `ids` has been heard from, or after `timeoutMs`. With no ids, once the longest
   * heartbeat interval heard so far (plus half a second) has passed: every live agent beats once per interval.
   */
  async waitFor(ids: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const start = this.now();
    const deadline = start + timeoutMs;
    const everyoneBeatBy = (): number => {
      let longest = 0;
      for (const { heartbeat } of this.latest.values())
        longest = Math.max(longest, heartbeat.intervalSeconds);
      return longest === 0 ? Infinity : start + longest * 1000 + 500;
    };
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearInterval(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setInterval(() => {
        if (ids.length > 0 && ids.every((id) => this.latest.has(id))) done();
        else if (ids.length === 0 && this.now() >= everyoneBeatBy()) done();
        else if (this.now() >= deadline) done();
      }, 25);
      signal?.addEventListener('abort', done);
    });
  }

  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.loop;
    this.subscription = undefined;
  }
}
