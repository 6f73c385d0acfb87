import { readFileSync } from 'node:fs';
import type { JetStreamClient } from '@nats-io/jetstream';
import { eventMessageId, eventSubject, type RigbenchEvent } from '@rigbench/shared';

/** Resident set size of a process, in bytes: current (`VmRSS`) and peak (`VmHWM`), from /proc (Linux). */
export function processRss(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Publishes events to JetStream with their de-duplication ids, keeping at most `window` acks outstanding. */
export async function publishEvents(
  js: JetStreamClient,
  events: Iterable<RigbenchEvent>,
  window = 1024,
): Promise<number> {
  const inFlight = new Set<Promise<unknown>>();
  let count = 0;
  for (const event of events) {
    const p: Promise<unknown> = js
      .publish(eventSubject(event.agentId, event.runId), JSON.stringify(event), {
        msgID: eventMessageId(event.runId, event.agentId, event.seq),
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    count += 1;
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return count;
}

export const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
export const rate = (n: number, seconds: number): string =>
  `${Math.round(n / seconds).toLocaleString('en-US')}/s`;
