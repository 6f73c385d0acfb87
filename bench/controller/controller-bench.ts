/**
 * `npm run bench:controller`: the controller's figures, measured on the built code.
 *
 * 1. store insert: events/s the SQLite store writes (parsed events, batched transactions).
 * 2. collector ingest: events/s from a filled JetStream stream through the real collector into SQLite, with
 *    the count of lost events (must be 0).
 * 3. controller RSS: peak memory of a real `rigbench collect` process while N simulated agents heartbeat and
 *    report.
 * 4. report: `benchReport` of the report module, when it exports one.
 *
 * Options: `--events N` (default 200000), `--agents N` (200), `--seconds S` (30), `--json` (one line), `--check`
 * (exit 1 unless ingest >= 50,000/s, 0 lost, RSS < 200 MB).
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startNatsServer } from '../../test/support/nats-server.js';
import { benchCollectorIngest, benchEvents, benchStoreInsert } from './ingest-bench.js';
import { benchControllerRss } from './rss-bench.js';
import { mib, rate } from './bench-util.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    agents: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
  },
});

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cliJs = join(root, 'apps/controller/dist/cli.js');
const say = (line: string): void => {
  if (!values.json) process.stdout.write(`${line}\n`);
};

const events = benchEvents(Number(values.events));
say(
  `rigbench controller benchmarks (${events.length.toLocaleString('en-US')} events, node ${process.version})`,
);

const insert = benchStoreInsert(events);
say(
  `store insert      ${rate(insert.events, insert.seconds)} (${insert.events} events in ${insert.seconds.toFixed(2)} s, batches of ${insert.batchSize})`,
);

const server = await startNatsServer();
let ingest;
let rss;
try {
  ingest = await benchCollectorIngest(server, events);
  say(
    `collector ingest  ${rate(ingest.events, ingest.ingestSeconds)} (${ingest.events} events in ${ingest.ingestSeconds.toFixed(2)} s; ` +
      `stored ${ingest.stored}, lost ${ingest.lost}, duplicates ${ingest.duplicates}, quarantined ${ingest.quarantined}, ` +
      `run ${ingest.complete ? 'complete' : 'INCOMPLETE'}; stream filled in ${ingest.publishSeconds.toFixed(2)} s; ` +
      `CPU s: collector ${ingest.collectorCpuSeconds.toFixed(2)}, nats-server ${ingest.natsServerCpuSeconds.toFixed(2)}; ` +
      `${rate(ingest.events, ingest.collectorCpuSeconds)} per collector CPU second)`,
  );
  rss = await benchControllerRss(server, cliJs, {
    agents: Number(values.agents),
    seconds: Number(values.seconds),
    heartbeatSeconds: 2,
    eventsPerAgentPerSecond: 10,
  });
  say(
    `controller RSS    max ${mib(rss.maxRssBytes)}, peak (VmHWM) ${mib(rss.peakRssBytes)} — rigbench collect with ${rss.agents} agents ` +
      `for ${rss.seconds.toFixed(0)} s: ${rss.heartbeats} heartbeats, ${rss.eventsPublished} events, stored ${rss.eventsStored}, ` +
      `lost ${rss.lost}, agents recorded ${rss.agentsRecorded}, exit ${rss.collectorExitCode}`,
  );
} finally {
  await server.dispose();
}

let report: unknown = null;
// The report engineer's benchmark, when present (compiled beside this file).
const reportBench = new URL('./report-bench.js', import.meta.url);
const reportModule = existsSync(reportBench)
  ? ((await import(reportBench.href)) as { benchReport?: (samples: number) => unknown })
  : {};
if (typeof reportModule.benchReport === 'function') {
  report = await reportModule.benchReport(1_000_000);
  say(`report            ${JSON.stringify(report)}`);
} else {
  say('report            (no benchReport available)');
}

const ok =
  ingest.eventsPerSecond >= 50_000 &&
  ingest.lost === 0 &&
  rss.lost === 0 &&
  rss.peakRssBytes < 200 * 1024 ** 2;
const load = loadavg()[0];
if (values.json)
  process.stdout.write(`${JSON.stringify({ insert, ingest, rss, report, ok, cpus: cpus().length, load })}\n`);
else {
  say(
    `load average at the end ${load?.toFixed(1)} on ${cpus().length} CPUs (figures scale with what else runs)`,
  );
  say(
    ok
      ? 'targets met: ingest >= 50,000 events/s, 0 lost, RSS < 200 MB'
      : 'TARGETS MISSED (see figures above)',
  );
}
if (values.check && !ok) process.exitCode = 1;
