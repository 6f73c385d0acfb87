import type Database from 'better-sqlite3';
import type { CaseOutcome, Fingerprint, Sample } from '@rigbench/shared';
import { sampleRowReader, sampleSelectList } from './sample-columns.js';
import { RunNotFoundError } from './store-errors.js';
import type { QuarantinedMessage, RunAgentRow, RunSummaryRow } from './store-types.js';

type Row = Record<string, unknown>;

const parseJson = <T>(text: unknown): T | null => (typeof text === 'string' ? (JSON.parse(text) as T) : null);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The run row as the store holds it. */
export interface StoredRun {
  runId: string;
  planName: string | null;
  runName: string | null;
  label: string | null;
  plan: unknown;
  createdAt: string;
  dispatched: boolean;
}

/** What the store holds for one case on one agent (from `case.started` and `case.finished`). */
export interface StoredCase {
  agentId: string;
  caseId: string;
  /** Null until the case's `case.started` arrived. */
  fingerprint: Fingerprint | null;
  /** Model load time, in seconds; null until `case.started`. */
  modelLoadSeconds: number | null;
  /** Null until the case's `case.finished` arrived. */
  outcome: CaseOutcome | null;
  reason: string | null;
}

/** One stored sample with the agent that measured it. */
export interface StoredSample {
  agentId: string;
  sample: Sample;
}

/**
 * Read queries over the store: what `rigbench runs`/`show`/`report`, completeness and the datasets read. Code
 * outside `store/` reads through these (via {@link RunStore}), never with its own SQL.
 */
export class RunQueries {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      hasRun: db.prepare('SELECT 1 FROM runs WHERE run_id = ?'),
      run: db.prepare('SELECT * FROM runs WHERE run_id = ?'),
      listRuns: db.prepare(
        `SELECT r.run_id, r.plan_name, r.run_name, r.label, r.created_at,
           (SELECT group_concat(agent_id, ',') FROM run_agents a WHERE a.run_id = r.run_id) AS agents,
           (SELECT count(*) FROM samples s JOIN run_agents a ON s.ra = a.id WHERE a.run_id = r.run_id) AS samples
         FROM runs r ORDER BY r.created_at DESC, r.run_id DESC LIMIT ?`,
      ),
      runAgents: db.prepare(
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
      ),
      unsuccessfulCases: db.prepare(
        `SELECT a.agent_id, c.case_id, c.outcome, c.reason FROM cases c JOIN run_agents a ON c.ra = a.id
         WHERE a.run_id = ? AND c.outcome IS NOT NULL AND c.outcome != 'ok' ORDER BY a.agent_id, c.case_index`,
      ),
      cases: db.prepare(
        `SELECT a.agent_id, c.case_id, c.fingerprint_json, c.model_load_seconds, c.outcome, c.reason
         FROM cases c JOIN run_agents a ON c.ra = a.id WHERE a.run_id = ?`,
      ),
      // Raw rows: reports read every sample of a run; the reader takes agent id and seq, then the sample columns.
      samples: db
        .prepare(
          `SELECT a.agent_id, s.seq, ${sampleSelectList('s')}
           FROM samples s JOIN run_agents a ON s.ra = a.id WHERE a.run_id = ? ORDER BY a.agent_id, s.seq`,
        )
        .raw(),
      sampleCountsByCase: db.prepare(
        `SELECT case_id, count(*) AS n FROM samples
         WHERE ra = (SELECT id FROM run_agents WHERE run_id = ? AND agent_id = ?) GROUP BY case_id`,
      ),
      storedSeqs: db
        .prepare(
          `WITH ra AS (SELECT id FROM run_agents WHERE run_id = ? AND agent_id = ?)
             SELECT seq FROM events WHERE ra = (SELECT id FROM ra)
             UNION ALL SELECT seq FROM samples WHERE ra = (SELECT id FROM ra) ORDER BY seq`,
        )
        .pluck(),
      finishedCaseIds: db
        .prepare(
          `SELECT case_id FROM cases WHERE outcome IS NOT NULL
           AND ra = (SELECT id FROM run_agents WHERE run_id = ? AND agent_id = ?)`,
        )
        .pluck(),
      storedEventCount: db
        .prepare('SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM samples)')
        .pluck(),
      quarantineTotal: db.prepare('SELECT count(*) FROM quarantine').pluck(),
      quarantineRecent: db.prepare('SELECT * FROM quarantine ORDER BY id DESC LIMIT ?'),
    };
  }

  hasRun(runId: string): boolean {
    return this.stmts.hasRun.get(runId) !== undefined;
  }

  /** The run row; throws {@link RunNotFoundError}. */
  run(runId: string): StoredRun {
    const r = this.stmts.run.get(runId) as Row | undefined;
    if (!r) throw new RunNotFoundError(runId);
    return {
      runId,
      planName: text(r.plan_name),
      runName: text(r.run_name),
      label: text(r.label),
      plan: parseJson<unknown>(r.plan_json),
      createdAt: r.created_at as string,
      dispatched: r.dispatched === 1,
    };
  }

  /** Runs, newest first. */
  listRuns(limit = 100): RunSummaryRow[] {
    return (this.stmts.listRuns.all(limit) as Row[]).map((r) => ({
      runId: r.run_id as string,
      planName: text(r.plan_name),
      runName: text(r.run_name),
      label: text(r.label),
      createdAt: r.created_at as string,
      agents: typeof r.agents === 'string' ? r.agents.split(',').sort() : [],
      samples: r.samples as number,
    }));
  }

  /** Every agent of a run (targeted or seen on the stream) with the counts completeness needs. */
  runAgents(runId: string): RunAgentRow[] {
    return (this.stmts.runAgents.all(runId) as Row[]).map((r) => ({
      agentId: r.agent_id as string,
      targeted: r.targeted === 1,
      address: text(r.address),
      labels: parseJson<Record<string, string>>(r.labels_json) ?? {},
      acceptedAt: text(r.accepted_at),
      caseCount: (r.case_count as number | null) ?? null,
      plannedCaseIds: parseJson<string[]>(r.planned_case_ids_json),
      finishedAt: text(r.finished_at),
      outcome: text(r.outcome),
      reason: text(r.reason),
      lastSeq: (r.last_seq as number | null) ?? null,
      samplesPerCase: parseJson<Record<string, number>>(r.samples_per_case_json),
      abandonedReason: text(r.abandoned_reason),
      eventsStored: (r.n_events as number) + (r.n_samples as number),
      maxSeq: Math.max(r.e_max as number, r.s_max as number),
      samplesStored: r.n_samples as number,
      casesFinished: r.n_cases_finished as number,
      lastDecodeTokensPerSecond: (r.last_tps as number | null) ?? null,
      currentCaseId: text(r.current_case),
    }));
  }

  /** Cases of a run that finished other than `ok` (failed, skipped), per agent, with the agent's reason. */
  unsuccessfulCases(
    runId: string,
  ): Array<{ agentId: string; caseId: string; outcome: string; reason: string | null }> {
    return (this.stmts.unsuccessfulCases.all(runId) as Row[]).map((r) => ({
      agentId: r.agent_id as string,
      caseId: r.case_id as string,
      outcome: r.outcome as string,
      reason: text(r.reason),
    }));
  }

  /** Every case of a run the store has heard of (started or finished), per agent. */
  cases(runId: string): StoredCase[] {
    return (this.stmts.cases.all(runId) as Row[]).map((r) => ({
      agentId: r.agent_id as string,
      caseId: r.case_id as string,
      fingerprint: parseJson<Fingerprint>(r.fingerprint_json),
      modelLoadSeconds: (r.model_load_seconds as number | null) ?? null,
      outcome: (r.outcome as CaseOutcome | null) ?? null,
      reason: text(r.reason),
    }));
  }

  /** Every stored sample of a run, by agent then seq; one row in memory at a time. */
  *samples(runId: string): Generator<StoredSample> {
    const read = sampleRowReader(2, (r) => `run ${runId} agent ${String(r[0])} seq ${String(r[1])}`);
    for (const row of this.stmts.samples.iterate(runId) as Iterable<unknown[]>) {
      yield { agentId: row[0] as string, sample: read(row) };
    }
  }

  /** Stored sample counts per case of one agent's run. */
  sampleCountsByCase(runId: string, agentId: string): Map<string, number> {
    const rows = this.stmts.sampleCountsByCase.all(runId, agentId) as Row[];
    return new Map(rows.map((r) => [r.case_id as string, r.n as number]));
  }

  /** Every stored seq of one agent's run, ascending. */
  storedSeqs(runId: string, agentId: string): number[] {
    return this.stmts.storedSeqs.all(runId, agentId) as number[];
  }

  /** Finished case ids of one agent's run. */
  finishedCaseIds(runId: string, agentId: string): Set<string> {
    return new Set(this.stmts.finishedCaseIds.all(runId, agentId) as string[]);
  }

  /** Events stored for every run (samples included). */
  storedEventCount(): number {
    return this.stmts.storedEventCount.get() as number;
  }

  /** Quarantined messages, newest first, and the total count. */
  quarantine(limit = 20): {
    total: number;
    recent: Array<Omit<QuarantinedMessage, 'payload'> & { receivedAt: string }>;
  } {
    const total = this.stmts.quarantineTotal.get() as number;
    const recent = (this.stmts.quarantineRecent.all(limit) as Row[]).map((r) => ({
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
