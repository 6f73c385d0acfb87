import type Database from 'better-sqlite3';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run. Never edit a shipped
 * migration: append a new one. A new sample field needs one here (`ALTER TABLE samples ADD COLUMN …`; the column
 * follows from the field, see `sample-columns.ts`, and `sample-columns.test.ts` prints the exact statement).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    run_id      TEXT PRIMARY KEY,
    plan_name   TEXT,
    run_name    TEXT,
    label       TEXT,
    plan_json   TEXT,
    plan_hash   TEXT,
    -- ISO 8601: when the run was dispatched, or first seen on the stream.
    created_at  TEXT NOT NULL,
    -- 1 when a controller dispatched it here and recorded its targets; 0 when only seen on the stream.
    dispatched  INTEGER NOT NULL DEFAULT 0
  );

  -- One row per (run, agent) pair: targeted at dispatch or first seen on the stream. Its integer id keys the
  -- per-event tables, which keeps their B-trees small at tens of thousands of inserts per second.
  CREATE TABLE run_agents (
    id                    INTEGER PRIMARY KEY,
    run_id                TEXT NOT NULL,
    agent_id              TEXT NOT NULL,
    targeted              INTEGER NOT NULL DEFAULT 0,
    address               TEXT,
    labels_json           TEXT,
    accepted_at           TEXT,
    case_count            INTEGER,
    plan_hash             TEXT,
    finished_at           TEXT,
    outcome               TEXT,
    reason                TEXT,
    last_seq              INTEGER,
    samples_per_case_json TEXT,
    case_outcomes_json    TEXT,
    -- Set when the controller gave up on the agent (lost heartbeats, failed StartRun).
    abandoned_reason      TEXT,
    UNIQUE (run_id, agent_id)
  );

  -- Every non-sample event; samples live in their own table under the same (run agent, seq) key space.
  CREATE TABLE events (
    ra       INTEGER NOT NULL REFERENCES run_agents (id),
    seq      INTEGER NOT NULL,
    type     TEXT NOT NULL,
    time     TEXT NOT NULL,
    payload  TEXT NOT NULL,
    PRIMARY KEY (ra, seq)
  ) WITHOUT ROWID;

  CREATE TABLE cases (
    ra                     INTEGER NOT NULL REFERENCES run_agents (id),
    case_id                TEXT NOT NULL,
    case_index             INTEGER,
    fingerprint_json       TEXT,
    model_load_seconds     REAL,
    model_reused           INTEGER,
    started_at             TEXT,
    finished_at            TEXT,
    outcome                TEXT,
    reason                 TEXT,
    samples                INTEGER,
    worker_peak_rss_bytes  REAL,
    PRIMARY KEY (ra, case_id)
  ) WITHOUT ROWID;

  CREATE TABLE samples (
    ra                       INTEGER NOT NULL REFERENCES run_agents (id),
    seq                      INTEGER NOT NULL,
    case_id                  TEXT NOT NULL,
    repetition               INTEGER NOT NULL,
    mode                     TEXT NOT NULL,
    started_at               TEXT NOT NULL,
    model_load_seconds       REAL NOT NULL,
    prompt_tokens            REAL NOT NULL,
    prompt_seconds           REAL NOT NULL,
    prompt_tokens_per_second REAL NOT NULL,
    ttft_seconds             REAL,
    generated_tokens         REAL NOT NULL,
    decode_seconds           REAL NOT NULL,
    decode_tokens_per_second REAL NOT NULL,
    itl_p50                  REAL,
    itl_p90                  REAL,
    itl_p99                  REAL,
    end_to_end_seconds       REAL NOT NULL,
    vram_before_bytes        REAL,
    vram_peak_bytes          REAL,
    vram_after_bytes         REAL,
    worker_peak_rss_bytes    REAL NOT NULL,
    threads                  INTEGER NOT NULL,
    batch_size               INTEGER NOT NULL,
    finish_reason            TEXT NOT NULL,
    PRIMARY KEY (ra, seq)
  ) WITHOUT ROWID;

  CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    stream      TEXT NOT NULL,
    stream_seq  INTEGER NOT NULL,
    subject     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    error       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    payload     BLOB NOT NULL,
    UNIQUE (stream, stream_seq)
  );

  -- Last heartbeat per agent, so short-lived CLI commands know the fleet without waiting an interval.
  CREATE TABLE agents (
    agent_id          TEXT PRIMARY KEY,
    address           TEXT NOT NULL,
    labels_json       TEXT NOT NULL,
    version           TEXT NOT NULL,
    interval_seconds  REAL NOT NULL,
    busy              INTEGER NOT NULL,
    run_id            TEXT,
    -- Controller clock when the heartbeat arrived, in milliseconds since the epoch.
    received_at_ms    INTEGER NOT NULL
  );
  `,
  // 2: energy per phase of a sample (src/energy in the agent), as JSON; null when no source was readable.
  `
  ALTER TABLE samples ADD COLUMN energy_json TEXT;
  `,
  // 3: serving-load levels (load.level.recorded, see load-level-store.ts): one row per level, the vLLM-named
  // figures as columns, the SLOs, summary and per-request records as JSON. The event itself is in events too.
  `
  CREATE TABLE load_levels (
    ra                     INTEGER NOT NULL REFERENCES run_agents (id),
    seq                    INTEGER NOT NULL,
    case_id                TEXT NOT NULL,
    test_id                TEXT NOT NULL,
    concurrency            INTEGER NOT NULL,
    stream                 TEXT NOT NULL,
    arrival_rate           REAL,
    max_tokens             INTEGER NOT NULL,
    threads                INTEGER NOT NULL,
    completed              INTEGER NOT NULL,
    duration_seconds       REAL NOT NULL,
    request_throughput     REAL NOT NULL,
    output_throughput      REAL NOT NULL,
    total_token_throughput REAL NOT NULL,
    median_ttft_ms         REAL,
    p90_ttft_ms            REAL,
    p99_ttft_ms            REAL,
    median_tpot_ms         REAL,
    median_itl_ms          REAL,
    p90_itl_ms             REAL,
    p99_itl_ms             REAL,
    median_e2el_ms         REAL,
    p90_e2el_ms            REAL,
    goodput                REAL,
    slo_attainment         REAL,
    slo_json               TEXT,
    summary_json           TEXT NOT NULL,
    requests_json          TEXT NOT NULL,
    PRIMARY KEY (ra, seq)
  ) WITHOUT ROWID;
  `,
  // 4: the case ids a run.accepted planned, in execution order (JSON array); null for events of older agents.
  `
  ALTER TABLE run_agents ADD COLUMN planned_case_ids_json TEXT;
  `,
  // 5: energy of a serving-load level (the level event's \`energy\`) as JSON, and its output tokens per joule.
  // energy_json is NULL when the event had no energy (measured with energy off, or by an older agent) and the
  // JSON text 'null' when energy was on and no source was readable.
  `
  ALTER TABLE load_levels ADD COLUMN energy_json TEXT;
  ALTER TABLE load_levels ADD COLUMN output_tokens_per_joule REAL;
  `,
];

/** The schema version this build writes (`PRAGMA user_version`). */
export const STORE_SCHEMA_VERSION = MIGRATIONS.length;

/** The store file was written by a newer rigbench. */
export class StoreSchemaTooNewError extends Error {
  override name = 'StoreSchemaTooNewError';
  constructor(path: string, found: number, options?: ErrorOptions) {
    super(
      `store ${path} has schema version ${found}, this rigbench understands up to ${STORE_SCHEMA_VERSION}; ` +
        'upgrade rigbench or pass --store with another file',
      options,
    );
  }
}

/** Brings the database up to {@link STORE_SCHEMA_VERSION}, one migration per transaction. */
export function migrate(db: Database.Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > STORE_SCHEMA_VERSION) throw new StoreSchemaTooNewError(path, current);
  for (let version = current; version < STORE_SCHEMA_VERSION; version += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
