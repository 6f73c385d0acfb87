import { describe, expect, test } from '@jest/globals';
import type { RigbenchEvent } from '@rigbench/shared';
import { syntheticRunEvents } from '../../../../test/support/synthetic-run.js';
import type { RunAgentRow } from '../store/store-types.js';
import {
  applyProgressEvent,
  applyStoreProgress,
  casesText,
  startingProgress,
  tokensPerSecondText,
} from './agent-progress.js';

const row = (overrides: Partial<RunAgentRow>): RunAgentRow => ({
  agentId: 'a1',
  targeted: true,
  address: null,
  labels: {},
  acceptedAt: null,
  caseCount: null,
  plannedCaseIds: null,
  finishedAt: null,
  outcome: null,
  reason: null,
  lastSeq: null,
  samplesPerCase: null,
  abandonedReason: null,
  eventsStored: 0,
  maxSeq: 0,
  samplesStored: 0,
  casesFinished: 0,
  lastDecodeTokensPerSecond: null,
  currentCaseId: null,
  ...overrides,
});

describe('agent progress', () => {
  test('WatchRun events - a whole run counts every case, follows the current case and the latest rate', () => {
    const events = [
      ...syntheticRunEvents({
        runId: 'r1',
        agentId: 'a1',
        cases: 3,
        samplesPerCase: 2,
        decodeTokensPerSecond: 25,
        failedCaseIndexes: [1],
      }),
    ];
    const progress = startingProgress('a1');
    const seen: string[] = [];
    for (const event of events) {
      applyProgressEvent(progress, event);
      if (event.type === 'case.finished') seen.push(`${casesText(progress.casesDone, progress.caseCount)}`);
    }
    expect(seen).toEqual(['1/3', '2/3', '3/3']);
    expect(progress.currentCase).toBe('c002-synthetic');
    const lastSample = events.filter(
      (e): e is Extract<RigbenchEvent, { type: 'sample.recorded' }> => e.type === 'sample.recorded',
    );
    expect(progress.lastTokensPerSecond).toBe(
      lastSample[lastSample.length - 1]?.sample.decodeTokensPerSecond,
    );
    expect(progress.status).toBe('agent finished (partial), storing');
  });

  test('a failed case shows in the status until the next status change', () => {
    const progress = startingProgress('a1');
    const [accepted, started, failed] = [
      ...syntheticRunEvents({
        runId: 'r1',
        agentId: 'a1',
        cases: 2,
        samplesPerCase: 1,
        failedCaseIndexes: [0],
      }),
    ];
    for (const event of [accepted, started, failed]) applyProgressEvent(progress, event as RigbenchEvent);
    expect(progress.status).toBe('case c000-synthetic failed');
    expect(progress.casesDone).toBe(1);
  });

  test('store row - counts never go below what the store holds; case and rate from it only without a live watch', () => {
    const progress = startingProgress('a1');
    applyStoreProgress(
      progress,
      row({
        acceptedAt: 't',
        caseCount: 10,
        casesFinished: 4,
        currentCaseId: 'c4',
        lastDecodeTokensPerSecond: 9.5,
      }),
      true,
    );
    expect(progress).toMatchObject({
      casesDone: 4,
      caseCount: 10,
      currentCase: null,
      lastTokensPerSecond: null,
    });
    expect(progress.status).toBe('running');
    applyStoreProgress(progress, row({ caseCount: 10, casesFinished: 3, currentCaseId: 'c4' }), false);
    expect(progress.casesDone).toBe(4);
    expect(progress.currentCase).toBe('c4');
    // A row without a current case or rate keeps what was shown.
    applyStoreProgress(progress, row({ casesFinished: 5, lastDecodeTokensPerSecond: 9.5 }), false);
    expect(progress).toMatchObject({ casesDone: 5, currentCase: 'c4', lastTokensPerSecond: 9.5 });
  });

  test('a store row before run.accepted leaves the agent starting with an unknown total', () => {
    const progress = startingProgress('a1');
    applyStoreProgress(progress, row({}), false);
    expect(progress.status).toBe('starting');
    expect(casesText(progress.casesDone, progress.caseCount)).toBe('0/?');
    expect(tokensPerSecondText(progress.lastTokensPerSecond)).toBe('-');
    expect(tokensPerSecondText(21.456)).toBe('21.46');
  });
});
