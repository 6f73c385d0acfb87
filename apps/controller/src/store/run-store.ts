import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  AgentHeartbeat,
  CaseFinishedEvent,
  CaseStartedEvent,
  RigbenchEvent,
  RunAcceptedEvent,
  RunFinishedEvent,
  SampleRecordedEvent,
} from '@rigbench/shared';
import { writeLoadLevel } from './load-level-store.js';
import { migrate } from './store-schema.js';
import type {
  DispatchTarget,
  IngestItem,
  IngestResult,
  QuarantinedMessage,
  RunAgentRow,
  RunSummaryRow,
  StoredAgent,
} from './store-types.js';

/** A run id the store has never seen. */
export class RunNotFoundError extends Error {
  override name = 'RunNotFoundError';
  constructor(runId: string, options?: ErrorOptions) {
    super(`run '${runId}' is not in the store; 'rigbench runs' lists the known runs`, options);
  }
}

/** The store file could not be opened. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
  constructor(path: string, options?: ErrorOptions) {
    const why = options?.cause instanceof Error ? options.cause.message : 'unknown error';
    super(`cannot open store ${path}: ${why}; pass --store FILE or set RIGBENCH_STORE`, options);
  }
}

type Row = Record<string, unknown>;

const parseJson = <T>(text: unknown): T | null => (typeof text === 'string' ? (JSON.parse(text) as T) : null);

/**
 * The controller's SQLite store (WAL mode, so a `collect` process and CLI commands can share one file).
 * Event writes are idempotent: every event is keyed by (run, agent, seq), so redelivered or twice-collected
 * events are ignored. All writes of one batch happen in one transaction.
 *
 * Over 400 lines: event projection, dispatch bookkeeping, heartbeats and the queries share the prepared
 * statements and the one connection; issue 12 (item 3) splits them along those seams, with the one sample
 * schema that would build the INSERT and SELECT column lists.
 */
export class RunStore {
  readonly path: string;
  readonly db: Database.Database;
  private readonly stmts;
  private readonly knownRuns = new Set<string>();
  /** `runId \0 agentId` → run_agents.id, so an event costs one statement. */
  private readonly runAgentIds = new Map<string, number>();

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
    this.stmts = {
      insertEvent: db.prepare(
        'INSERT OR IGNORE INTO events (ra, seq, type, time, payload) VALUES (?, ?, ?, ?, ?)',
      ),
      ensureRunAgent: db.prepare('INSERT OR IGNORE INTO run_agents (run_id, agent_id) VALUES (?, ?)'),
      runAgentId: db.prepare('SELECT id FROM run_agents WHERE run_id = ? AND agent_id = ?').pluck(),
      insertSample: db.prepare(
        `INSERT OR IGNORE INTO samples (ra, seq, case_id, repetition, mode, started_at,
           model_load_seconds, prompt_tokens, prompt_seconds, prompt_tokens_per_second, ttft_seconds,
           generated_tokens, decode_seconds, decode_tokens_per_second, itl_p50, itl_p90, itl_p99, end_to_end_seconds,
           vram_before_bytes, vram_peak_bytes, vram_after_bytes, worker_peak_rss_bytes, threads, batch_size,
           finish_reason, energy_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      ensureRun: db.prepare('INSERT OR IGNORE INTO runs (run_id, created_at) VALUES (?, ?)'),
      acceptRun: db.prepare(
        `UPDATE runs SET plan_name = coalesce(plan_name, ?), plan_json = coalesce(plan_json, ?),
           plan_hash = coalesce(plan_hash, ?), label = coalesce(label, ?) WHERE run_id = ?`,
      ),
      acceptAgent: db.prepare(
        'UPDATE run_agents SET accepted_at = ?, case_count = ?, plan_hash = ? WHERE id = ?',
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

  /** Opens (creating when missing) the store at `path` and migrates it; `:memory:` works for tests. */
  static open(path: string): RunStore {
    let db: Database.Database;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      // WAL lets readers (show, report) work while a collector writes; NORMAL sync is durable across process
      // crashes, which is the failure the collector must survive (acks follow commits).
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 10000');
      // Bulk ingest: a larger page cache and fewer, larger WAL checkpoints (about 40 MB of WAL between them).
      db.pragma('cache_size = -65536');
      db.pragma('wal_autocheckpoint = 10000');
      // Reports read every sample of a run; memory-mapped reads skip a copy per page.
      db.pragma('mmap_size = 268435456');
      migrate(db, path);
    } catch (error) {
      throw new StoreOpenError(path, { cause: error });
    }
    return new RunStore(path, db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Writes a batch of parsed events and quarantined messages in one transaction; idempotent. */
  ingest(items: readonly IngestItem[]): IngestResult {
    try {
      return this.ingestTransaction(items);
    } catch (error) {
      // Ids created in a rolled-back transaction do not exist: forget every cached id.
      this.runAgentIds.clear();
      this.knownRuns.clear();
      throw error;
    }
  }

  private ingestTransaction(items: readonly IngestItem[]): IngestResult {
    return this.db.transaction((batch: readonly IngestItem[]) => {
      const result: IngestResult = { stored: 0, duplicates: 0, quarantined: 0 };
      for (const item of batch) {
        if (item.kind === 'quarantine') {
          this.writeQuarantine(item.message);
          result.quarantined += 1;
        } else if (this.writeEvent(item.event)) {
          result.stored += 1;
        } else {
          result.duplicates += 1;
        }
      }
      return result;
    })(items);
  }

  /** Stores events (a convenience over {@link ingest}). */
  writeEvents(events: readonly RigbenchEvent[]): IngestResult {
    return this.ingest(events.map((event) => ({ kind: 'event', event })));
  }

  private writeQuarantine(message: QuarantinedMessage): void {
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
  private writeEvent(event: RigbenchEvent): boolean {
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
    // Ids never change once committed; ingest() clears the cache when a transaction rolls back.
    this.runAgentIds.set(key, id);
    return id;
  }

  private writeSample(ra: number, event: SampleRecordedEvent): boolean {
    const s = event.sample;
    const inserted = this.stmts.insertSample.run(
      ra,
      event.seq,
      event.caseId,
      s.repetition,
      s.mode,
      s.startedAt,
      s.modelLoadSeconds,
      s.promptTokens,
      s.promptSeconds,
      s.promptTokensPerSecond,
      s.ttftSeconds,
      s.generatedTokens,
      s.decodeSeconds,
      s.decodeTokensPerSecond,
      s.interTokenLatency?.p50 ?? null,
      s.interTokenLatency?.p90 ?? null,
      s.interTokenLatency?.p99 ?? null,
      s.endToEndSeconds,
      s.vram?.beforeBytes ?? null,
      s.vram?.peakBytes ?? null,
      s.vram?.afterBytes ?? null,
      s.workerPeakRssBytes,
      s.threads,
      s.batchSize,
      s.finishReason,
      s.energy ? JSON.stringify(s.energy) : null,
    );
    return inserted.changes > 0;
  }

  /** Creates the run row on its first event; remembered per store handle, so a sample costs one statement. */
  private ensureRun(runId: string, time: string): void {
    if (this.knownRuns.has(runId)) return;
    this.stmts.ensureRun.run(runId, time);
    this.knownRuns.add(runId);
  }

  private applyRunAccepted(ra: number, e: RunAcceptedEvent): void {
    this.stmts.acceptRun.run(e.planName, JSON.stringify(e.plan), e.planHash, e.label ?? null, e.runId);
    this.stmts.acceptAgent.run(e.time, e.caseCount, e.planHash, ra);
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

  /** Records a run this controller dispatches, with its targets, before any agent has accepted it. */
  recordDispatch(run: {
    runId: string;
    planName: string;
    runName: string | null;
    label: string | null;
    plan: unknown;
    targets: readonly DispatchTarget[];
  }): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO runs (run_id, plan_name, run_name, label, plan_json, created_at, dispatched)
           VALUES (?, ?, ?, ?, ?, ?, 1)
           ON CONFLICT (run_id) DO UPDATE SET run_name = excluded.run_name, label = excluded.label,
             plan_json = excluded.plan_json, dispatched = 1, created_at = min(created_at, excluded.created_at)`,
        )
        .run(
          run.runId,
          run.planName,
          run.runName,
          run.label,
          JSON.stringify(run.plan),
          new Date().toISOString(),
        );
      const upsert = this.db.prepare(
        `INSERT INTO run_agents (run_id, agent_id, targeted, address, labels_json) VALUES (?, ?, 1, ?, ?)
         ON CONFLICT (run_id, agent_id) DO UPDATE SET targeted = 1, address = excluded.address,
           labels_json = excluded.labels_json`,
      );
      for (const target of run.targets) {
        upsert.run(run.runId, target.agentId, target.address, JSON.stringify(target.labels));
      }
    })();
  }

  /** Marks an agent as given up on for a run (lost heartbeats, StartRun failed); its data stays incomplete. */
  abandonAgent(runId: string, agentId: string, reason: string): void {
    this.db
      .prepare(
        `INSERT INTO run_agents (run_id, agent_id, targeted, abandoned_reason) VALUES (?, ?, 1, ?)
         ON CONFLICT (run_id, agent_id) DO UPDATE SET abandoned_reason = excluded.abandoned_reason`,
      )
      .run(runId, agentId, reason);
  }

  /** Records the latest heartbeat of an agent. */
  recordHeartbeat(heartbeat: AgentHeartbeat, receivedAtMs: number): void {
    this.db
      .prepare(
        `INSERT INTO agents (agent_id, address, labels_json, version, interval_seconds, busy, run_id, received_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (agent_id) DO UPDATE SET address = excluded.address, labels_json = excluded.labels_json,
           version = excluded.version, interval_seconds = excluded.interval_seconds, busy = excluded.busy,
           run_id = excluded.run_id, received_at_ms = max(received_at_ms, excluded.received_at_ms)`,
      )
      .run(
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
    return (this.db.prepare('SELECT * FROM agents ORDER BY agent_id').all() as Row[]).map((r) => ({
      agentId: r.agent_id as string,
      address: r.address as string,
      labels: parseJson<Record<string, string>>(r.labels_json) ?? {},
      version: r.version as string,
      intervalSeconds: r.interval_seconds as number,
      busy: r.busy === 1,
      runId: (r.run_id as string | null) ?? null,
      receivedAtMs: r.received_at_ms as number,
    }));
  }

  hasRun(runId: string): boolean {
    return this.db.prepare('SELECT 1 FROM runs WHERE run_id = ?').get(runId) !== undefined;
  }

  /** The run row; throws {@link RunNotFoundError}. */
  run(runId: string): {
    runId: string;
    planName: string | null;
    runName: string | null;
    label: string | null;
    plan: unknown;
    createdAt: string;
    dispatched: boolean;
  } {
    const r = this.db.prepare('SELECT * FROM runs WHERE run_id = ?').get(runId) as Row | undefined;
    if (!r) throw new RunNotFoundError(runId);
    return {
      runId,
      planName: (r.plan_name as string | null) ?? null,
      runName: (r.run_name as string | null) ?? null,
      label: (r.label as string | null) ?? null,
      plan: parseJson<unknown>(r.plan_json),
      createdAt: r.created_at as string,
      dispatched: r.dispatched === 1,
    };
  }

  /** Runs, newest first. */
  listRuns(limit = 100): RunSummaryRow[] {
    const rows = this.db
      .prepare(
        `SELECT r.run_id, r.plan_name, r.run_name, r.label, r.created_at,
           (SELECT group_concat(agent_id, ',') FROM run_agents a WHERE a.run_id = r.run_id) AS agents,
           (SELECT count(*) FROM samples s JOIN run_agents a ON s.ra = a.id WHERE a.run_id = r.run_id) AS samples
         FROM runs r ORDER BY r.created_at DESC, r.run_id DESC LIMIT ?`,
      )
      .all(limit) as Row[];
    return rows.map((r) => ({
      runId: r.run_id as string,
      planName: (r.plan_name as string | null) ?? null,
      runName: (r.run_name as string | null) ?? null,
      label: (r.label as string | null) ?? null,
      createdAt: r.created_at as string,
      agents: typeof r.agents === 'string' ? r.agents.split(',').sort() : [],
      samples: r.samples as number,
    }));
  }

  /** Every agent of a run (targeted or seen on the stream) with the counts completeness needs. */
  runAgents(runId: string): RunAgentRow[] {
    const rows = this.db
      .prepare(
        `SELECT a.*,
           (SELECT count(*) FROM events e WHERE e.ra = a.id) AS n_events,
           (SELECT coalesce(max(seq), 0) FROM events e WHERE e.ra = a.id) AS e_max,
           (SELECT count(*) FROM samples s WHERE s.ra = a.id) AS n_samples,
           (SELECT coalesce(max(seq), 0) FROM samples s WHERE s.ra = a.id) AS s_max,
           (SELECT decode_tokens_per_second FROM samples s WHERE s.ra = a.id ORDER BY seq DESC LIMIT 1) AS last_tps,
           (SELECT count(*) FROM cases c WHERE c.ra = a.id AND c.outcome IS NOT NULL) AS n_cases_finished,
           (SELECT case_id FROM cases c WHERE c.ra = a.id AND c.started_at IS NOT NULL
              ORDER BY c.case_index DESC LIMIT 1) AS current_case
         FROM run_agents a WHERE a.run_id = ? ORDER BY a.agent_id`,
      )
      .all(runId) as Row[];
    return rows.map((r) => ({
      agentId: r.agent_id as string,
      targeted: r.targeted === 1,
      address: (r.address as string | null) ?? null,
      labels: parseJson<Record<string, string>>(r.labels_json) ?? {},
      acceptedAt: (r.accepted_at as string | null) ?? null,
      caseCount: (r.case_count as number | null) ?? null,
      finishedAt: (r.finished_at as string | null) ?? null,
      outcome: (r.outcome as string | null) ?? null,
      reason: (r.reason as string | null) ?? null,
      lastSeq: (r.last_seq as number | null) ?? null,
      samplesPerCase: parseJson<Record<string, number>>(r.samples_per_case_json),
      abandonedReason: (r.abandoned_reason as string | null) ?? null,
      eventsStored: (r.n_events as number) + (r.n_samples as number),
      maxSeq: Math.max(r.e_max as number, r.s_max as number),
      samplesStored: r.n_samples as number,
      casesFinished: r.n_cases_finished as number,
      lastDecodeTokensPerSecond: (r.last_tps as number | null) ?? null,
      currentCaseId: (r.current_case as string | null) ?? null,
    }));
  }

  /** Cases of a run that finished other than `ok` (failed, skipped), per agent, with the agent's reason. */
  unsuccessfulCases(
    runId: string,
  ): Array<{ agentId: string; caseId: string; outcome: string; reason: string | null }> {
    return (
      this.db
        .prepare(
          `SELECT a.agent_id, c.case_id, c.outcome, c.reason FROM cases c JOIN run_agents a ON c.ra = a.id
           WHERE a.run_id = ? AND c.outcome IS NOT NULL AND c.outcome != 'ok' ORDER BY a.agent_id, c.case_index`,
        )
        .all(runId) as Row[]
    ).map((r) => ({
      agentId: r.agent_id as string,
      caseId: r.case_id as string,
      outcome: r.outcome as string,
      reason: (r.reason as string | null) ?? null,
    }));
  }

  /** Stored sample counts per case of one agent's run. */
  sampleCountsByCase(runId: string, agentId: string): Map<string, number> {
    const rows = this.db
      .prepare(
        `SELECT case_id, count(*) AS n FROM samples
         WHERE ra = (SELECT id FROM run_agents WHERE run_id = ? AND agent_id = ?) GROUP BY case_id`,
      )
      .all(runId, agentId) as Row[];
    return new Map(rows.map((r) => [r.case_id as string, r.n as number]));
  }

  /** Every stored seq of one agent's run, ascending. */
  storedSeqs(runId: string, agentId: string): number[] {
    return this.db
      .prepare(
        `WITH ra AS (SELECT id FROM run_agents WHERE run_id = ? AND agent_id = ?)
           SELECT seq FROM events WHERE ra = (SELECT id FROM ra)
           UNION ALL SELECT seq FROM samples WHERE ra = (SELECT id FROM ra) ORDER BY seq`,
      )
      .pluck()
      .all(runId, agentId) as number[];
  }

  /** Finished case ids of one agent's run. */
  finishedCaseIds(runId: string, agentId: string): Set<string> {
    return new Set(
      this.db
        .prepare(
          `SELECT case_id FROM cases WHERE outcome IS NOT NULL
           AND ra = (SELECT id FROM run_agents WHERE run_id = ? AND agent_id = ?)`,
        )
        .pluck()
        .all(runId, agentId) as string[],
    );
  }

  /** Events stored for every run (samples included). */
  storedEventCount(): number {
    return this.db
      .prepare('SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM samples)')
      .pluck()
      .get() as number;
  }

  /** Quarantined messages, newest first, and the total count. */
  quarantine(limit = 20): {
    total: number;
    recent: Array<Omit<QuarantinedMessage, 'payload'> & { receivedAt: string }>;
  } {
    const total = this.db.prepare('SELECT count(*) FROM quarantine').pluck().get() as number;
    const recent = (
      this.db.prepare('SELECT * FROM quarantine ORDER BY id DESC LIMIT ?').all(limit) as Row[]
    ).map((r) => ({
      stream: r.stream as string,
      streamSeq: r.stream_seq as number,
      subject: r.subject as string,
      reason: r.reason as QuarantinedMessage['reason'],
      error: r.error as string,
      receivedAt: r.received_at as string,
    }));
    return { total, recent };
  }
}
