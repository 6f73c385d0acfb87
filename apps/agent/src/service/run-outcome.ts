/** How a run ended, from its cases' outcomes, a failure and an abort: the outcome policy, as a pure function. */
import type { CaseOutcome, RunOutcome } from '@rigbench/shared';

/**
 * `failed` on a failure (events not stored, engine error); on an abort `cancelled`, or `partial`/`failed` for a
 * time limit; else `completed` when every case is ok, `partial` when some are, `failed` when none, with a reason
 * counting failed, skipped and unrun cases.
 */
export function decideOutcome(
  caseCount: number,
  caseOutcomes: Record<string, CaseOutcome>,
  failure: string | null,
  aborted: { outcome: RunOutcome; reason: string } | null,
): { outcome: RunOutcome; reason?: string } {
  if (failure !== null) return { outcome: 'failed', reason: failure };
  const outcomes = Object.values(caseOutcomes);
  const ok = outcomes.filter((o) => o === 'ok').length;
  if (aborted !== null) {
    if (aborted.outcome === 'cancelled') return { outcome: 'cancelled', reason: aborted.reason };
    return { outcome: ok > 0 ? 'partial' : 'failed', reason: aborted.reason };
  }
  if (ok === caseCount) return { outcome: 'completed' };
  const failed = outcomes.filter((o) => o === 'failed').length;
  const skipped = outcomes.filter((o) => o === 'skipped').length;
  const missing = caseCount - outcomes.length;
  const parts = [`${ok} of ${caseCount} cases ok`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (skipped > 0) parts.push(`${skipped} skipped`);
  if (missing > 0) parts.push(`${missing} not run`);
  return { outcome: ok > 0 ? 'partial' : 'failed', reason: parts.join(', ') };
}
