import type { RigbenchEvent } from '@rigbench/shared';
import type { RunAgentRow } from '../store/store-types.js';

/*
 * An agent's progress through a run, computed here and only here: from WatchRun events while the watch is live
 * (fast), from the store's row of the agent (the truth, fed by the collector from NATS) on every poll, and as
 * text for `run`, `watch` and `runs`. The store's row itself is a projection of the same events (`cases` with an
 * outcome, the latest `case.started`, the latest sample), so both sources count the same things.
 */

/** What the display shows for one agent of a run. */
export interface AgentProgress {
  agentId: string;
  /** Cases with a `case.finished` (any outcome). */
  casesDone: number;
  /** Null until the agent's `run.accepted` is seen. */
  caseCount: number | null;
  currentCase: string | null;
  /** Decode rate of the latest sample, tokens per second. */
  lastTokensPerSecond: number | null;
  /** Free text: `running`, `finished (completed)`, `watch lost, waiting for events`, `lost`… */
  status: string;
}

/** The progress of an agent that has been sent `StartRun` and has not been heard from yet. */
export function startingProgress(agentId: string): AgentProgress {
  return {
    agentId,
    casesDone: 0,
    caseCount: null,
    currentCase: null,
    lastTokensPerSecond: null,
    status: 'starting',
  };
}

/** Updates `progress` from one event of the agent's WatchRun stream (events arrive once each, in seq order). */
export function applyProgressEvent(progress: AgentProgress, event: RigbenchEvent): void {
  switch (event.type) {
    case 'run.accepted':
      progress.caseCount = event.caseCount;
      progress.status = 'running';
      break;
    case 'case.started':
      progress.currentCase = event.caseId;
      if (progress.status.startsWith('model download')) progress.status = 'running';
      break;
    case 'model.download':
      progress.status = downloadStatus(event.source, event.downloadedBytes, event.totalBytes, event.done);
      break;
    case 'sample.recorded':
      progress.lastTokensPerSecond = event.sample.decodeTokensPerSecond;
      break;
    case 'load.level.recorded':
      progress.lastTokensPerSecond = event.level.summary.output_throughput;
      break;
    case 'case.finished':
      progress.casesDone += 1;
      if (event.outcome !== 'ok') progress.status = `case ${event.caseId} ${event.outcome}`;
      break;
    case 'run.finished':
      progress.status = `agent finished (${event.outcome}), storing`;
      break;
  }
}

/**
 * Updates `progress` from the store's row of the agent. The store is the truth for counts (never below what it
 * holds); the current case and rate come from it only while no WatchRun is live (a live watch is fresher).
 */
export function applyStoreProgress(progress: AgentProgress, row: RunAgentRow, watching: boolean): void {
  progress.casesDone = Math.max(progress.casesDone, row.casesFinished);
  progress.caseCount ??= row.caseCount;
  if (!watching) {
    progress.currentCase = row.currentCaseId ?? progress.currentCase;
    progress.lastTokensPerSecond = row.lastDecodeTokensPerSecond ?? progress.lastTokensPerSecond;
  }
  if (progress.status === 'starting' && row.acceptedAt !== null) progress.status = 'running';
}

/** `3/10`: cases finished of the agent's cases, `?` for the total before its `run.accepted`. */
export function casesText(casesFinished: number, caseCount: number | null): string {
  return `${casesFinished}/${caseCount ?? '?'}`;
}

/** Decode rate of the latest sample with two decimals, `-` before the first sample. */
export function tokensPerSecondText(tokensPerSecond: number | null): string {
  return tokensPerSecond === null ? '-' : tokensPerSecond.toFixed(2);
}

/** `model download hf:… 45 % (12.3 of 27.1 MB)`, or `… done (27.1 MB)`: the status while a case waits for its model. */
export function downloadStatus(source: string, downloaded: number, total: number, done: boolean): string {
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
  if (done) return `model download ${source} done (${mb(total)} MB)`;
  const percent = total > 0 ? Math.floor((downloaded / total) * 100) : 0;
  return `model download ${source} ${percent} % (${mb(downloaded)} of ${mb(total)} MB)`;
}
