import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AgentHeartbeat, RigbenchEvent } from '@rigbench/shared';
import { DispatchRecords, type DispatchRecord } from './dispatch-records.js';
import { EventProjection } from './event-projection.js';
import { HeartbeatRecords } from './heartbeat-records.js';
import { RunQueries, type StoredCase, type StoredRun, type StoredSample } from './run-queries.js';
import { StoreOpenError } from './store-errors.js';
import { checkSampleColumns } from './sample-columns.js';
import { migrate } from './store-schema.js';
import type {
  IngestItem,
  IngestResult,
  QuarantinedMessage,
  RunAgentRow,
  RunSummaryRow,
  StoredAgent,
} from './store-types.js';

export { RunNotFoundError, StoreOpenError } from './store-errors.js';

/**
 * The controller's SQLite store (WAL mode, so a `collect` process and CLI commands can share one file): the one
 * connection and the API everything outside `store/` reads and writes through. The work is in one module per
 * seam: event projection (`event-projection.ts`), dispatch bookkeeping (`dispatch-records.ts`), heartbeats
 * (`heartbeat-records.ts`) and the read queries (`run-queries.ts`); sample columns follow the sample schema
 * (`sample-columns.ts`). Event writes are idempotent: every event is keyed by (run, agent, seq), so redelivered or
 * twice-collected events are ignored. All writes of one batch happen in one transaction.
 */
export class RunStore {
  readonly path: string;
  /** The connection, for migrations and tests that inspect tables; code outside `store/` uses the methods. */
  readonly db: Database.Database;
  private readonly projection: EventProjection;
  private readonly dispatch: DispatchRecords;
  private readonly heartbeats: HeartbeatRecords;
  private readonly queries: RunQueries;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
    this.projection = new EventProjection(db);
    this.dispatch = new DispatchRecords(db);
    this.heartbeats = new HeartbeatRecords(db);
    this.queries = new RunQueries(db);
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
      checkSampleColumns(db);
      return new RunStore(path, db);
    } catch (error) {
      throw new StoreOpenError(path, { cause: error });
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Writes a batch of parsed events and quarantined messages in one transaction; idempotent. */
  ingest(items: readonly IngestItem[]): IngestResult {
    try {
      return this.ingestTransaction(items);
    } catch (error) {
      this.projection.forgetIds();
      throw error;
    }
  }

  private ingestTransaction(items: readonly IngestItem[]): IngestResult {
    return this.db.transaction((batch: readonly IngestItem[]) => {
      const result: IngestResult = { stored: 0, duplicates: 0, quarantined: 0 };
      for (const item of batch) {
        if (item.kind === 'quarantine') {
          this.projection.writeQuarantine(item.message);
          result.quarantined += 1;
        } else if (this.projection.writeEvent(item.event)) {
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

  /** Records a run this controller dispatches, with its targets, before any agent has accepted it. */
  recordDispatch(run: DispatchRecord): void {
    this.dispatch.recordDispatch(run);
  }

  /** Marks an agent as given up on for a run (lost heartbeats, StartRun failed); its data stays incomplete. */
  abandonAgent(runId: string, agentId: string, reason: string): void {
    this.dispatch.abandonAgent(runId, agentId, reason);
  }

  /** Records the latest heartbeat of an agent. */
  recordHeartbeat(heartbeat: AgentHeartbeat, receivedAtMs: number): void {
    this.heartbeats.recordHeartbeat(heartbeat, receivedAtMs);
  }

  /** Agents known from recorded heartbeats. */
  storedAgents(): StoredAgent[] {
    return this.heartbeats.storedAgents();
  }

  hasRun(runId: string): boolean {
    return this.queries.hasRun(runId);
  }

  /** The run row; throws {@link RunNotFoundError}. */
  run(runId: string): StoredRun {
    return this.queries.run(runId);
  }

  /** Runs, newest first. */
  listRuns(limit = 100): RunSummaryRow[] {
    return this.queries.listRuns(limit);
  }

  /** Every agent of a run (targeted or seen on the stream) with the counts completeness needs. */
  runAgents(runId: string): RunAgentRow[] {
    return this.queries.runAgents(runId);
  }

  /** Cases of a run that finished other than `ok` (failed, skipped), per agent, with the agent's reason. */
  unsuccessfulCases(
    runId: string,
  ): Array<{ agentId: string; caseId: string; outcome: string; reason: string | null }> {
    return this.queries.unsuccessfulCases(runId);
  }

  /** Every case of a run the store has heard of (started or finished), per agent. */
  cases(runId: string): StoredCase[] {
    return this.queries.cases(runId);
  }

  /** Every stored sample of a run, by agent then seq, read one row at a time. */
  samples(runId: string): Generator<StoredSample> {
    return this.queries.samples(runId);
  }

  /** Stored sample counts per case of one agent's run. */
  sampleCountsByCase(runId: string, agentId: string): Map<string, number> {
    return this.queries.sampleCountsByCase(runId, agentId);
  }

  /** Every stored seq of one agent's run, ascending. */
  storedSeqs(runId: string, agentId: string): number[] {
    return this.queries.storedSeqs(runId, agentId);
  }

  /** Finished case ids of one agent's run. */
  finishedCaseIds(runId: string, agentId: string): Set<string> {
    return this.queries.finishedCaseIds(runId, agentId);
  }

  /** Events stored for every run (samples included). */
  storedEventCount(): number {
    return this.queries.storedEventCount();
  }

  /** Quarantined messages, newest first, and the total count. */
  quarantine(limit = 20): {
    total: number;
    recent: Array<Omit<QuarantinedMessage, 'payload'> & { receivedAt: string }>;
  } {
    return this.queries.quarantine(limit);
  }
}
