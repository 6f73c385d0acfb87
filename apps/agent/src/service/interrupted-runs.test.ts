import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RigbenchEvent } from '@rigbench/shared';
import { closeInterruptedRuns, INTERRUPTED_REASON } from './interrupted-runs.js';
import { RunJournal } from './run-journal.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rigbench-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const quiet = { warn: () => undefined, error: () => undefined };

test('interrupted runs - the open case fails and run.finished says interrupted, continuing the seq', async () => {
  const journal = new RunJournal(dir);
  journal.open({
    runId: 'r1',
    caseCount: 3,
    nextSeq: 2,
    openCase: null,
    samplesPerCase: {},
    caseOutcomes: {},
  });
  // As the supervisor leaves it before storing event 9 (a sample of case c1, c0 done).
  journal.update({
    runId: 'r1',
    caseCount: 3,
    nextSeq: 10,
    openCase: 'c1',
    samplesPerCase: { c0: 3, c1: 2 },
    caseOutcomes: { c0: 'ok' },
  });
  const published: RigbenchEvent[] = [];
  const finished: string[] = [];
  const closed = await closeInterruptedRuns({
    journal,
    publisher: { publish: async (event) => void published.push(event) },
    logger: quiet,
    metrics: { runFinished: (outcome) => void finished.push(outcome) },
    agentId: 'a1',
    now: () => new Date('2026-12-01T00:00:00Z'),
  });
  expect(closed).toEqual(['r1']);
  expect(published).toEqual([
    expect.objectContaining({ type: 'case.finished', seq: 10, caseId: 'c1', outcome: 'failed', samples: 2 }),
    expect.objectContaining({
      type: 'run.finished',
      seq: 11,
      lastSeq: 11,
      outcome: 'interrupted',
      reason: INTERRUPTED_REASON,
      caseOutcomes: { c0: 'ok', c1: 'failed' },
      samplesPerCase: { c0: 3, c1: 2 },
    }),
  ]);
  expect(finished).toEqual(['interrupted']);
  // Closed once: a second start finds nothing.
  expect(journal.leftOver()).toEqual([]);
});

test('interrupted runs - an unreadable journal file is reported, not guessed at', async () => {
  const journal = new RunJournal(dir);
  writeFileSync(join(dir, 'r2.run.json'), '{"runId":"r2","nextS');
  const errors: unknown[] = [];
  const closed = await closeInterruptedRuns({
    journal,
    publisher: { publish: async () => undefined },
    logger: { warn: () => undefined, error: (_m, d) => void errors.push(d) },
    agentId: 'a1',
    now: () => new Date(),
  });
  expect(closed).toEqual([]);
  expect(errors).toEqual([expect.objectContaining({ runId: 'r2' })]);
});
