import type Database from 'better-sqlite3';
import type { DispatchTarget } from './store-types.js';

/** A run as this controller dispatches it, before any agent has accepted it. */
export interface DispatchRecord {
  runId: string;
  planName: string;
  runName: string | null;
  label: string | null;
  plan: unknown;
  targets: readonly DispatchTarget[];
}

/**
 * Dispatch bookkeeping: the runs this controller sends and the agents it targets or gives up on. Stream events
 * fill in the rest of the same rows (`event-projection.ts`); either may come first.
 */
export class DispatchRecords {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      upsertRun: db.prepare(
        `INSERT INTO runs (run_id, plan_name, run_name, label, plan_json, created_at, dispatched)
         VALUES (?, ?, ?, ?, ?, ?, 1)
         ON CONFLICT (run_id) DO UPDATE SET run_name = excluded.run_name, label = excluded.label,
           plan_json = excluded.plan_json, dispatched = 1, created_at = min(created_at, excluded.created_at)`,
      ),
      upsertTarget: db.prepare(
        `INSERT INTO run_agents (run_id, agent_id, targeted, address, labels_json) VALUES (?, ?, 1, ?, ?)
         ON CONFLICT (run_id, agent_id) DO UPDATE SET targeted = 1, address = excluded.address,
           labels_json = excluded.labels_json`,
      ),
      abandon: db.prepare(
        `INSERT INTO run_agents (run_id, agent_id, targeted, abandoned_reason) VALUES (?, ?, 1, ?)
         ON CONFLICT (run_id, agent_id) DO UPDATE SET abandoned_reason = excluded.abandoned_reason`,
      ),
    };
  }

  /** Records a run with its targets, in one transaction. */
  recordDispatch(run: DispatchRecord): void {
    this.db.transaction(() => {
      this.stmts.upsertRun.run(
        run.runId,
        run.planName,
        run.runName,
        run.label,
        JSON.stringify(run.plan),
        new Date().toISOString(),
      );
      for (const target of run.targets) {
        this.stmts.upsertTarget.run(run.runId, target.agentId, target.address, JSON.stringify(target.labels));
      }
    })();
  }

  /** Marks an agent as given up on for a run (lost heartbeats, StartRun failed); its data stays incomplete. */
  abandonAgent(runId: string, agentId: string, reason: string): void {
    this.stmts.abandon.run(runId, agentId, reason);
  }
}
