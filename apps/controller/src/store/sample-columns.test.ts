import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sampleSchema, type Sample, type SampleEnergy } from '@rigbench/shared';
import { z } from 'zod';
import { sampleEvent } from '../../../../test/support/sample-event.js';
import { syntheticRunEvents } from '../../../../test/support/synthetic-run.js';
import { RunStore } from './run-store.js';
import {
  SAMPLE_COLUMNS,
  SampleColumnMissingError,
  StoredSampleInvalidError,
  checkSampleColumns,
  addSampleColumnSql,
  createSamplesTableSql,
  deriveSampleFields,
} from './sample-columns.js';
import { MIGRATIONS, STORE_SCHEMA_VERSION } from './store-schema.js';

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}
const columnsOf = (db: Database.Database): ColumnInfo[] =>
  (db.pragma('table_info(samples)') as ColumnInfo[]).map(({ name, type, notnull, pk }) => ({
    name,
    type,
    notnull,
    pk,
  }));

const energy: SampleEnergy = {
  gpu: {
    idleWatts: 20,
    prompt: null,
    decode: {
      seconds: 2,
      joules: 200,
      meanWatts: 100,
      peakWatts: 120,
      readings: 20,
      tokensPerJoule: 0.3,
      tokensPerJouleAboveIdle: null,
    },
  },
  cpu: null,
  promptTokensPerJoule: null,
  decodeTokensPerJoule: 0.3,
};

const fullSample: Sample = {
  caseId: 'c000-synthetic',
  repetition: 2,
  mode: 'raw',
  startedAt: '2026-01-01T00:00:00.000Z',
  modelLoadSeconds: 1.25,
  promptTokens: 512,
  promptSeconds: 0.4,
  promptTokensPerSecond: 1280,
  ttftSeconds: 0.41,
  generatedTokens: 128,
  decodeSeconds: 3.2,
  decodeTokensPerSecond: 39.7,
  interTokenLatency: { p50: 0.025, p90: 0.03, p99: 0.041 },
  endToEndSeconds: 3.7,
  vram: { beforeBytes: 1e9, peakBytes: 3.5e9, afterBytes: 1.1e9 },
  workerPeakRssBytes: 4.2e8,
  threads: 8,
  batchSize: 2048,
  finishReason: 'completed',
  energy,
};

describe('sample columns', () => {
  test('sample columns - the migrated samples table has exactly the columns the sample schema maps to', () => {
    // A field without its migration fails here (and at every store open) naming the ALTER TABLE to append.
    const migrated = RunStore.open(':memory:');
    const fresh = new Database(':memory:');
    try {
      fresh.exec(createSamplesTableSql());
      const have = columnsOf(migrated.db);
      const want = columnsOf(fresh);
      expect(have).toEqual(want);
    } finally {
      fresh.close();
      migrated.close();
    }
  });

  test('sample columns - a new optional field maps to one nullable column and one ALTER TABLE', () => {
    const shape = sampleSchema.extend({ kvCacheBytes: z.number().int().nonnegative().optional() }).shape;
    const added = deriveSampleFields(shape).at(-1);
    expect(added).toEqual({
      kind: 'value',
      field: 'kvCacheBytes',
      optional: true,
      boolean: false,
      column: { name: 'kv_cache_bytes', type: 'INTEGER', notNull: false },
    });
    expect(addSampleColumnSql(added!.kind === 'value' ? added!.column : SAMPLE_COLUMNS[0]!)).toBe(
      'ALTER TABLE samples ADD COLUMN kv_cache_bytes INTEGER;',
    );
  });

  test('sample columns - a store missing a sample column is refused, naming the migration to add', () => {
    const db = new Database(':memory:');
    try {
      db.exec('CREATE TABLE samples (ra INTEGER, seq INTEGER, case_id TEXT)');
      expect(() => checkSampleColumns(db)).toThrow(SampleColumnMissingError);
      expect(() => checkSampleColumns(db)).toThrow(/ALTER TABLE samples ADD COLUMN repetition INTEGER;/);
    } finally {
      db.close();
    }
  });

  test('sample columns - every field is written and read back by name, nulls and absent energy included', () => {
    const store = RunStore.open(':memory:');
    try {
      const events = [...syntheticRunEvents({ runId: 'r1', agentId: 'a1', cases: 1, samplesPerCase: 2 })];
      const samples = events.filter((e) => e.type === 'sample.recorded');
      samples[0]!.sample = fullSample;
      const plain: Sample = {
        ...fullSample,
        repetition: 3,
        ttftSeconds: null,
        interTokenLatency: null,
        vram: null,
        finishReason: 'eos',
      };
      delete plain.energy;
      samples[1]!.sample = plain;
      store.writeEvents(events);
      expect([...store.samples('r1')]).toEqual([
        { agentId: 'a1', sample: fullSample },
        { agentId: 'a1', sample: plain },
      ]);
    } finally {
      store.close();
    }
  });

  test('sample columns - rows written by the first schema version still read after the migrations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigbench-old-store-'));
    const path = join(dir, 'store.db');
    const old = new Database(path);
    try {
      old.exec(MIGRATIONS[0]!);
      old.pragma('user_version = 1');
      old.prepare("INSERT INTO runs (run_id, created_at) VALUES ('old', '2025-01-01T00:00:00Z')").run();
      old.prepare("INSERT INTO run_agents (id, run_id, agent_id) VALUES (1, 'old', 'a1')").run();
      // The INSERT of the first release, positional as it was then.
      old
        .prepare(
          `INSERT INTO samples VALUES (1, 2, 'c000', 0, 'chat', '2025-01-01T00:00:00Z', 0.5, 10, 0.1, 100, 0.12,
             16, 0.5, 30, 0.03, 0.04, 0.05, 0.7, NULL, NULL, NULL, 1e8, 1, 512, 'maxTokens')`,
        )
        .run();
    } finally {
      old.close();
    }
    const store = RunStore.open(path);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(STORE_SCHEMA_VERSION);
      expect([...store.samples('old')]).toEqual([
        // The shared fixture's figures, which are the ones the positional INSERT above wrote.
        { agentId: 'a1', sample: { ...sampleEvent.sample, startedAt: '2025-01-01T00:00:00Z' } },
      ]);
      expect(store.runAgents('old')[0]?.plannedCaseIds).toBeNull();
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('sample columns - a damaged stored row is an error naming the row, not a bad figure', () => {
    const store = RunStore.open(':memory:');
    try {
      store.writeEvents([...syntheticRunEvents({ runId: 'r1', agentId: 'a1', cases: 1, samplesPerCase: 1 })]);
      store.db.prepare("UPDATE samples SET mode = 'sideways'").run();
      expect(() => [...store.samples('r1')]).toThrow(StoredSampleInvalidError);
      expect(() => [...store.samples('r1')]).toThrow(/run r1 agent a1 seq 3/);
    } finally {
      store.close();
    }
  });
});
