/**
 * Closing the runs a previous agent process left open (it crashed or was killed mid-run), from the run journal:
 * a failed `case.finished` for the case it was running and a `run.finished` with outcome `interrupted`,
 * continuing the run's seq, so the controller's store does not keep the run `running` forever.
 */
import type { RigbenchEvent, RunOutcome } from '@rigbench/shared';
import type { RunJournal } from './run-journal.js';
import { createStamper } from './run-stamper.js';
import type { Logger } from '@rigbench/shared';

/** What {@link closeInterruptedRuns} needs. */
export interface InterruptedRunsOptions {
  journal: RunJournal;
  publisher: { publish(event: RigbenchEvent): Promise<unknown> };
  logger: Pick<Logger, 'warn' | 'error'>;
  metrics?: { runFinished(outcome: RunOutcome): void };
  agentId: string;
  now: () => Date;
}

/** Why an interrupted run ended, as its events say. */
export const INTERRUPTED_REASON =
  'the agent process ended while the run was active (crash, kill or power loss)';

/** Publishes the closing events of every run the journal still holds; returns their ids. */
export async function closeInterruptedRuns(options: InterruptedRunsOptions): Promise<string[]> {
  const { journal, logger, publisher, metrics, agentId, now } = options;
  const closed: string[] = [];
  for (const record of journal.leftOver()) {
    if ('error' in record) {
      logger.error('run journal unreadable; the run stays open in the store', record);
      continue;
    }
    const stamp = createStamper(agentId, record.runId, now, record.nextSeq - 1);
    const caseOutcomes = { ...record.caseOutcomes };
    if (record.openCase !== null) {
      caseOutcomes[record.openCase] = 'failed';
      await publisher.publish(
        stamp({
          type: 'case.finished',
          caseId: record.openCase,
          outcome: 'failed',
          reason: INTERRUPTED_REASON,
          samples: record.samplesPerCase[record.openCase] ?? 0,
        }),
      );
    }
    const finished = stamp({
      type: 'run.finished',
      outcome: 'interrupted',
      reason: INTERRUPTED_REASON,
      samplesPerCase: record.samplesPerCase,
      caseOutcomes,
      lastSeq: stamp.nextSeq(),
    });
    await publisher.publish(finished);
    journal.close(record.runId);
    metrics?.runFinished('interrupted');
    logger.warn('run closed as interrupted', { runId: record.runId, lastSeq: finished.seq });
    closed.push(record.runId);
  }
  return closed;
}
