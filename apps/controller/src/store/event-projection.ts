import type Database from 'better-sqlite3';
import type {
  CaseFinishedEvent,
  CaseStartedEvent,
  RigbenchEvent,
  RunAcceptedEvent,
  RunFinishedEvent,
  SampleRecordedEvent,
} from '@rigbench/shared';
import { INSERT_SAMPLE_SQL, sampleRowValues } from './sample-columns.js';
import { writeLoadLevel } from './load-level-store.js';
import type { QuarantinedMessage } from './store-types.js';

/**
 * Projects events into the tables: every non-sample event into `events` and its effect on `runs`, `run_agents`
 * and `cases`; samples into `samples` (columns from the sample schema, `sample-columns.ts`). Writes are
 * idempotent, keyed by (run, agent, seq). The caller runs them inside its transaction and calls
 * {@link forgetIds} when that transaction rolls back.
 */
export class EventProjection {
  private readonly stmts;
  private readonly knownRuns = new Set<string>();
  /** `runId \0 agentId` → run_agents.id, so an event costs one statement. */
  private readonly runAgentIds = new Map<string, number>();

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      insertEvent: db.prepare(
        'INSERT OR IGNORE INTO events (ra, seq, type, time, payload) VALUES (?, ?, ?, ?, ?)',
      ),
      ensureRunAgent: db.prepare('INSERT OR IGNORE INTO run_agents (run_id, agent_id) VALUES (?, ?)'),
      runAgentId: db.prepare('SELECT id FROM run_agents WHERE run_id = ? AND agent_id = ?').pluck(),
      insertSample: db.prepare(INSERT_SAMPLE_SQL),
      ensureRun: db.prepare('INSERT OR IGNORE INTO runs (run_id, created_at) VALUES (?, ?)'),
      acceptRun: db.prepare(
        `UPDATE runs SET plan_name = coalesce(plan_name, ?), plan_json = coalesce(plan_json, ?),
           plan_hash = coalesce(plan_hash, ?), label = coalesce(label, ?) WHERE run_id = ?`,
      ),
      acceptAgent: db.prepare(
        `UPDATE run_agents SET accepted_at = ?, case_count = ?, plan_hash = ?, planned_case_ids_json = ?
         WHERE id = ?`,
      ),
      finishAgent: db.prepare(
        `UPDATE run_agents SET finished_at = ?, outcome = ?, reason = ?, last_seq = ?, samples_per_case_json = ?,
           case_outcomes_json = ? WHERE id = ?`,
      ),
      startCase: db.prepare(
        `INSERT INTO cases (ra, case_id, case_index, fingerprint_json, model_load_seconds, model_reused,
           started_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (ra, case_id) DO UPDATE SET case_index = excluded.case_index,
           fingerprint_json = excluded.fingerprint_json, model_load_seconds = excluded.model_load_seconds,
           model_reused = excluded.model_reused, started_at = excluded.started_at`,
      ),
      finishCase: db.prepare(
        `INSERT INTO cases (ra, case_id, finished_at, outcome, reason, samples, worker_peak_rss_bytes)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (ra, case_id) DO UPDATE SET finished_at = excluded.finished_at,
           outcome = excluded.outcome, reason = excluded.reason, samples = excluded.samples,
           worker_peak_rss_bytes = excluded.worker_peak_rss_bytes`,
      ),
      insertQuarantine: db.prepare(
        `INSERT OR IGNORE INTO quarantine (stream, stream_seq, subject, received_at, error, reason, payload)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  /** Ids created in a rolled-back transaction do not exist: forget every cached id. */
  forgetIds(): void {
    this.runAgentIds.clear();
    this.knownRuns.clear();
  }

  writeQuarantine(message: QuarantinedMessage): void {
    this.stmts.insertQuarantine.run(
      message.stream,
      message.streamSeq,
      message.subject,
      new Date().toISOString(),
      message.error,
      message.reason,
      Buffer.from(message.payload),
    );
  }

  /** Returns false when the event was already stored. */
  writeEvent(event: RigbenchEvent): boolean {
    const ra = this.runAgent(event.runId, event.agentId, event.time);
    if (event.type === 'sample.recorded') return this.writeSample(ra, event);
    const inserted = this.stmts.insertEvent.run(ra, event.seq, event.type, event.time, JSON.stringify(event));
    if (inserted.changes === 0) return false;
    switch (event.type) {
      case 'run.accepted':
        this.applyRunAccepted(ra, event);
        break;
      case 'case.started':
        this.applyCaseStarted(ra, event);
        break;
      case 'case.finished':
        this.applyCaseFinished(ra, event);
        break;
      case 'run.finished':
        this.applyRunFinished(ra, event);
        break;
      case 'load.level.recorded':
        writeLoadLevel(this.db, ra, event);
        break;
    }
    return true;
  }

  /** The run_agents id of (run, agent), creating the run and the pair on first sight. */
  private runAgent(runId: string, agentId: string, time: string): number {
    const key = `${runId}\u0000${agentId}`;
    const cached = this.runAgentIds.get(key);
    if (cached !== undefined) return cached;
    this.ensureRun(runId, time);
    this.stmts.ensureRunAgent.run(runId, agentId);
    const id = this.stmts.runAgentId.get(runId, agentId) as number;
    // Ids never change once committed; forgetIds() clears the cache when a transaction rolls back.
    this.runAgentIds.set(key, id);
    return id;
  }

  private writeSample(ra: number, event: SampleRecordedEvent): boolean {
    // The event's caseId keys the row (it is the sample's own caseId in every agent build).
    const sample =
      event.sample.caseId === event.caseId ? event.sample : { ...event.sample, caseId: event.caseId };
    return this.stmts.insertSample.run(...sampleRowValues(ra, event.seq, sample)).changes > 0;
  }

  /** Creates the run row on its first event; remembered per store handle, so a sample costs one statement. */
  private ensureRun(runId: string, time: string): void {
    if (this.knownRuns.has(runId)) return;
    this.stmts.ensureRun.run(runId, time);
    this.knownRuns.add(runId);
  }

  private applyRunAccepted(ra: number, e: RunAcceptedEvent): void {
    this.stmts.acceptRun.run(e.planName, JSON.stringify(e.plan), e.planHash, e.label ?? null, e.runId);
    this.stmts.acceptAgent.run(
      e.time,
      e.caseCount,
      e.planHash,
      e.caseIds ? JSON.stringify(e.caseIds) : null,
      ra,
    );
  }

  private applyCaseStarted(ra: number, e: CaseStartedEvent): void {
    this.stmts.startCase.run(
      ra,
      e.caseId,
      e.caseIndex,
      JSON.stringify(e.fingerprint),
      e.modelLoadSeconds,
      e.modelReused ? 1 : 0,
      e.time,
    );
  }

  private applyCaseFinished(ra: number, e: CaseFinishedEvent): void {
    this.stmts.finishCase.run(
      ra,
      e.caseId,
      e.time,
      e.outcome,
      e.reason ?? null,
      e.samples,
      e.workerPeakRssBytes ?? null,
    );
  }

  private applyRunFinished(ra: number, e: RunFinishedEvent): void {
    this.stmts.finishAgent.run(
      e.time,
      e.outcome,
      e.reason ?? null,
      e.lastSeq,
      JSON.stringify(e.samplesPerCase),
      JSON.stringify(e.caseOutcomes),
      ra,
    );
  }
}
