import type { RigbenchEvent } from '@rigbench/shared';
import { RunLog } from './run-log.js';

const event = (seq: number, type: RigbenchEvent['type'] = 'sample.recorded'): RigbenchEvent =>
  ({ v: 1, type, runId: 'r', agentId: 'a', seq, time: new Date(0).toISOString() }) as RigbenchEvent;

async function take(iterator: AsyncGenerator<RigbenchEvent>): Promise<number[]> {
  const seqs: number[] = [];
  for await (const e of iterator) seqs.push(e.seq);
  return seqs;
}

test('run-log - a watcher gets the backlog from its seq, then live events, and ends after run.finished', async () => {
  const log = new RunLog('r');
  log.append(event(1, 'run.accepted'));
  log.append(event(2));
  const fromStart = take(log.watch(0));
  const fromTwo = take(log.watch(2));
  log.append(event(3));
  log.append(event(4, 'run.finished'));
  expect(await fromStart).toEqual([1, 2, 3, 4]);
  expect(await fromTwo).toEqual([2, 3, 4]);
  expect(await take(log.watch(4))).toEqual([4]);
  expect(await take(log.watch(9))).toEqual([]);
  expect(log.closed).toBe(true);
  expect(() => log.append(event(5))).toThrow(/append after close/);
});

test('run-log - an aborted watcher stops without waiting for more events; close() ends the others', async () => {
  const log = new RunLog('r');
  log.append(event(1, 'run.accepted'));
  const controller = new AbortController();
  const aborted = take(log.watch(1, controller.signal));
  const other = take(log.watch(1));
  controller.abort();
  expect(await aborted).toEqual([1]);
  log.close();
  expect(await other).toEqual([1]);
});
