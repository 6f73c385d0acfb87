import type Database from 'better-sqlite3';
import type { AgentHeartbeat } from '@rigbench/shared';
import type { StoredAgent } from './store-types.js';

type Row = Record<string, unknown>;

/** The last heartbeat per agent, so short-lived CLI commands know the fleet without waiting an interval. */
export class HeartbeatRecords {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      upsert: db.prepare(
        `INSERT INTO agents (agent_id, address, labels_json, version, interval_seconds, busy, run_id, received_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (agent_id) DO UPDATE SET address = excluded.address, labels_json = excluded.labels_json,
           version = excluded.version, interval_seconds = excluded.interval_seconds, busy = excluded.busy,
           run_id = excluded.run_id, received_at_ms = max(received_at_ms, excluded.received_at_ms)`,
      ),
      all: db.prepare('SELECT * FROM agents ORDER BY agent_id'),
    };
  }

  /** Records the latest heartbeat of an agent; an older one arriving late never moves `receivedAtMs` back. */
  recordHeartbeat(heartbeat: AgentHeartbeat, receivedAtMs: number): void {
    this.stmts.upsert.run(
      heartbeat.agentId,
      heartbeat.address,
      JSON.stringify(heartbeat.labels),
      heartbeat.version,
      heartbeat.intervalSeconds,
      heartbeat.busy ? 1 : 0,
      heartbeat.runId,
      receivedAtMs,
    );
  }

  /** Agents known from recorded heartbeats. */
  storedAgents(): StoredAgent[] {
    return (this.stmts.all.all() as Row[]).map((r) => ({
      agentId: r.agent_id as string,
      address: r.address as string,
      labels: typeof r.labels_json === 'string' ? (JSON.parse(r.labels_json) as Record<string, string>) : {},
      version: r.version as string,
      intervalSeconds: r.interval_seconds as number,
      busy: r.busy === 1,
      runId: (r.run_id as string | null) ?? null,
      receivedAtMs: r.received_at_ms as number,
    }));
  }
}
