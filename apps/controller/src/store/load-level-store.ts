/**
 * The `load_levels` table (migrations 3 and 5): serving-load levels projected from `load.level.recorded` events, and
 * read back per run for reports. Kept apart from `run-store.ts`, which only calls {@link writeLoadLevel}.
 */
import type Database from 'better-sqlite3';
import type { LoadLevelRecord, LoadLevelRecordedEvent } from '@rigbench/shared';

/** One stored level of a run, with the agent and case it belongs to. */
export interface StoredLoadLevel {
  agentId: string;
  caseId: string;
  /** The event's seq (levels come back in this order per agent). */
  seq: number;
  level: LoadLevelRecord;
}

const statements = new WeakMap<Database.Database, Database.Statement>();

/** Projects one stored `load.level.recorded` event (already in `events`) into `load_levels`. */
export function writeLoadLevel(db: Database.Database, ra: number, event: LoadLevelRecordedEvent): void {
  let insert = statements.get(db);
  if (insert === undefined) {
    insert = db.prepare(
      `INSERT OR IGNORE INTO load_levels (ra, seq, case_id, test_id, concurrency, stream, arrival_rate, max_tokens,
         threads, completed, duration_seconds, request_throughput, output_throughput, total_token_throughput,
         median_ttft_ms, p90_ttft_ms, p99_ttft_ms, median_tpot_ms, median_itl_ms, p90_itl_ms, p99_itl_ms,
         median_e2el_ms, p90_e2el_ms, goodput, slo_attainment, slo_json, summary_json, requests_json, energy_json,
         output_tokens_per_joule)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    statements.set(db, insert);
  }
  const l = event.level;
  const s = l.summary;
  insert.run(
    ra,
    event.seq,
    event.caseId,
    l.testId,
    l.concurrency,
    l.stream,
    l.arrivalRate,
    l.maxTokens,
    l.threads,
    s.completed,
    s.durationSeconds,
    s.request_throughput,
    s.output_throughput,
    s.total_token_throughput,
    s.ttft.median,
    s.ttft.p90,
    s.ttft.p99,
    s.tpot.median,
    s.itl.median,
    s.itl.p90,
    s.itl.p99,
    s.e2el.median,
    s.e2el.p90,
    s.goodput,
    s.sloAttainment,
    l.slo === null ? null : JSON.stringify(l.slo),
    JSON.stringify(s),
    JSON.stringify(l.requests),
    l.energy === undefined ? null : JSON.stringify(l.energy),
    l.energy?.outputTokensPerJoule ?? null,
  );
}

type Row = Record<string, unknown>;

/** Every load level of a run, by agent then seq. */
export function loadLevelsOfRun(db: Database.Database, runId: string): StoredLoadLevel[] {
  const rows = db
    .prepare(
      `SELECT a.agent_id, l.* FROM load_levels l JOIN run_agents a ON l.ra = a.id
       WHERE a.run_id = ? ORDER BY a.agent_id, l.seq`,
    )
    .all(runId) as Row[];
  return rows.map((r) => ({
    agentId: r.agent_id as string,
    caseId: r.case_id as string,
    seq: r.seq as number,
    level: {
      testId: r.test_id as string,
      concurrency: r.concurrency as number,
      stream: r.stream as LoadLevelRecord['stream'],
      arrivalRate: (r.arrival_rate as number | null) ?? null,
      slo: typeof r.slo_json === 'string' ? (JSON.parse(r.slo_json) as LoadLevelRecord['slo']) : null,
      maxTokens: r.max_tokens as number,
      threads: r.threads as number,
      summary: JSON.parse(r.summary_json as string) as LoadLevelRecord['summary'],
      requests: JSON.parse(r.requests_json as string) as LoadLevelRecord['requests'],
      ...(typeof r.energy_json === 'string'
        ? { energy: JSON.parse(r.energy_json) as LoadLevelRecord['energy'] }
        : {}),
    },
  }));
}
