/**
 * `npx tsc -b bench && node bench/dist/bench/events/validate-bench.js`: nanoseconds per `sample.recorded` event for
 * the validator compiled from the event schema (the collector's fast path) against zod's `safeParse` (the
 * reference, and the path of anything the fast one rejects), and `parseEvent` as a whole (UTF-8 decode and
 * JSON.parse included). Best of 5 rounds; the figures move with machine load, which is printed.
 * Options: `--events N` per round (default 200000), `--json` (one machine-readable line).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { compileValidator, eventSchema, parseEvent } from '@rigbench/shared';
import { makeRunEvent } from '../../test/support/run-events.js';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '200000' }, json: { type: 'boolean', default: false } },
});
const n = Number(values.events);
const event = makeRunEvent('bench-agent', 'bench-run', 2, 3);
const text = JSON.stringify(event);
const bytes = new TextEncoder().encode(text);
const compiled = compileValidator(eventSchema);

/** Best nanoseconds per call of `f` over 5 rounds of `count` calls; throws if `f` ever says no. */
function nsPerCall(f: () => boolean, count: number): number {
  let best = Infinity;
  for (let round = 0; round < 5; round += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i += 1) if (!f()) throw new Error('a valid event was rejected');
    best = Math.min(best, Number(process.hrtime.bigint() - start) / count);
  }
  return Math.round(best);
}

const result = {
  eventBytes: bytes.length,
  compiledNs: nsPerCall(() => compiled(event), n),
  zodSafeParseNs: nsPerCall(() => eventSchema.safeParse(event).success, Math.max(1, Math.floor(n / 10))),
  parseEventNs: nsPerCall(() => parseEvent(bytes).type === 'sample.recorded', Math.max(1, Math.floor(n / 4))),
  loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
};
if (values.json) {
  console.log(JSON.stringify(result));
} else {
  console.log(`validate bench: one sample.recorded event of ${result.eventBytes} bytes, best of 5 rounds`);
  console.log(`  compiled validator  ${result.compiledNs} ns`);
  console.log(`  zod safeParse       ${result.zodSafeParseNs} ns`);
  console.log(`  parseEvent (bytes)  ${result.parseEventNs} ns`);
  console.log(`  load average        ${result.loadAverage1m}`);
}
