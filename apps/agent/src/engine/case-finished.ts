/** The `case.finished` payload the engine yields, and the error text it carries. */
import type { BenchCase, CaseFinishedEvent, EventPayload } from '@rigbench/shared';

/** A `case.finished` payload with its reason and the worker's peak RSS when known. */
export function finished(
  benchCase: BenchCase,
  outcome: CaseFinishedEvent['outcome'],
  samples: number,
  reason?: string,
  workerPeakRssBytes?: number,
): EventPayload<CaseFinishedEvent> {
  return {
    type: 'case.finished',
    caseId: benchCase.caseId,
    outcome,
    samples,
    ...(reason != null ? { reason } : {}),
    ...(workerPeakRssBytes != null ? { workerPeakRssBytes } : {}),
  };
}

/** The message of an error, or the thrown value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
