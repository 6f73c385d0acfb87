/**
 * What the agent remembers about its active runs across a crash: one small JSON file per run, so that on restart
 * a run the crash interrupted is closed (`case.finished` for its open case, `run.finished` with outcome
 * `interrupted`) instead of staying `running` in the controller's store forever.
 *
 * The file is written when the run is accepted (fsynced) and rewritten before each of its events is stored, with
 * the seq that event takes; so after a crash the journal's `nextSeq` is never behind the outbox. When the crash
 * fell between the journal write and the outbox write, one seq is missing: the controller then reports a gap
 * in an interrupted run, which is what happened, rather than two events with the same seq. The per-event rewrite
 * is not fsynced: after a power loss it may trail by a few events, whose seqs the closing events then repeat
 * (dropped by JetStream as duplicates inside its window).
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { CaseOutcome } from '@rigbench/shared';

/** The state of one active run, as the journal keeps it. */
export interface JournalRecord {
  runId: string;
  caseCount: number;
  /** Seq the run's next event takes. */
  nextSeq: number;
  /** The case started and not finished, if any. */
  openCase: string | null;
  samplesPerCase: Record<string, number>;
  caseOutcomes: Record<string, CaseOutcome>;
}

const SUFFIX = '.run.json';

/** A directory of {@link JournalRecord} files, one per active run. */
export class RunJournal {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  #path(runId: string): string {
    return join(this.dir, `${runId}${SUFFIX}`);
  }

  /** Records a run being accepted; on disk (fsynced) when it returns. */
  open(record: JournalRecord): void {
    const fd = openSync(this.#path(record.runId), 'w');
    try {
      writeSync(fd, JSON.stringify(record));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Rewrites a run's record, atomically (write and rename; not fsynced, see the module documentation). */
  update(record: JournalRecord): void {
    const path = this.#path(record.runId);
    writeFileSync(`${path}.tmp`, JSON.stringify(record));
    renameSync(`${path}.tmp`, path);
  }

  /** Forgets a run that finished (its `run.finished` is durable). */
  close(runId: string): void {
    try {
      unlinkSync(this.#path(runId));
    } catch {
      // Already gone.
    }
  }

  /** Records of runs a previous process left open; unreadable files are returned as `{ runId, error }`. */
  leftOver(): Array<JournalRecord | { runId: string; error: string }> {
    return readdirSync(this.dir)
      .filter((name) => name.endsWith(SUFFIX))
      .sort()
      .map((name) => {
        const runId = name.slice(0, -SUFFIX.length);
        try {
          return JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as JournalRecord;
        } catch (error) {
          return { runId, error: (error as Error).message };
        }
      });
  }
}
