/**
 * Looks into the controller's SQLite store while other processes write it (WAL mode), through the controller's
 * own RunStore API so the figures do not depend on the table layout.
 */
import { existsSync } from 'node:fs';
import { RunStore } from '../../../apps/controller/src/store/run-store.js';

/** What the store holds of one run (one agent per run in these scenarios). */
export interface StoredRun {
  /** Events stored for the run, samples included. */
  events: number;
  /** Highest seq stored (0 when none). */
  maxSeq: number;
  /** Samples stored for the run. */
  samples: number;
  /** Samples beyond what run.finished declared for their case (a sample stored twice would show here). */
  duplicateSamples: number;
  /** Samples run.finished declared and the store lacks. */
  missingSamples: number;
  /** `run.finished`'s lastSeq, null until it is stored. */
  lastSeq: number | null;
  /** Sum of `run.finished`'s samplesPerCase, null until it is stored. */
  samplesExpected: number | null;
  outcome: string | null;
  abandonedReason: string | null;
}

const EMPTY: StoredRun = {
  events: 0,
  maxSeq: 0,
  samples: 0,
  duplicateSamples: 0,
  missingSamples: 0,
  lastSeq: null,
  samplesExpected: null,
  outcome: null,
  abandonedReason: null,
};

function withStore<T>(storePath: string, fallback: T, read: (store: RunStore) => T): T {
  if (!existsSync(storePath)) return fallback;
  const store = RunStore.open(storePath);
  try {
    return read(store);
  } finally {
    store.close();
  }
}

export function readRun(storePath: string, runId: string): StoredRun {
  return withStore(storePath, EMPTY, (store) => {
    if (!store.hasRun(runId)) return EMPTY;
    const row = store.runAgents(runId)[0];
    if (row === undefined) return EMPTY;
    const have = store.sampleCountsByCase(runId, row.agentId);
    let duplicateSamples = 0;
    let missingSamples = 0;
    for (const [caseId, expected] of Object.entries(row.samplesPerCase ?? {})) {
      const n = have.get(caseId) ?? 0;
      duplicateSamples += Math.max(0, n - expected);
      missingSamples += Math.max(0, expected - n);
    }
    return {
      events: row.eventsStored,
      maxSeq: row.maxSeq,
      samples: row.samplesStored,
      duplicateSamples,
      missingSamples,
      lastSeq: row.lastSeq,
      samplesExpected: row.samplesPerCase
        ? Object.values(row.samplesPerCase).reduce((a, b) => a + b, 0)
        : null,
      outcome: row.outcome,
      abandonedReason: row.abandonedReason,
    };
  });
}

/** Seqs of the run stored for `agentId`, ascending. */
export function storedSeqs(storePath: string, runId: string, agentId: string): number[] {
  return withStore(storePath, [], (store) => (store.hasRun(runId) ? store.storedSeqs(runId, agentId) : []));
}

/** Quarantined messages in the store, by reason. */
export function quarantined(storePath: string): Record<string, number> {
  return withStore(storePath, {}, (store) => {
    const counts: Record<string, number> = {};
    for (const q of store.quarantine(100_000).recent) counts[q.reason] = (counts[q.reason] ?? 0) + 1;
    return counts;
  });
}

/** Every seq 1..lastSeq stored and the samples match run.finished: the run is complete. */
export function complete(run: StoredRun): boolean {
  return (
    run.lastSeq !== null &&
    run.events === run.lastSeq &&
    run.maxSeq === run.lastSeq &&
    run.samples === run.samplesExpected &&
    run.missingSamples === 0
  );
}
