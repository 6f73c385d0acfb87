/**
 * `/metrics` on `rigbench collect`: a real nats-server, the CLI's collect command in this process, a SimulatedAgent
 * stand-in (real gRPC and JetStream, synthetic samples) and a malformed message; the exposition passes promtool.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { COLLECTOR_METRICS } from './deploy-helpers.js';
import { runControllerCli as cli, simulatedFleetEnv, useSimulatedFleet } from './support/controller-cli.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';

/** The value of one unlabelled series in an exposition, or undefined. */
const valueOf = (text: string, name: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

const fleet = useSimulatedFleet();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rigbench-collect-metrics-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('rigbench collect /metrics - events received, stored, duplicates, quarantined, lag, last batch, store size', async () => {
  const port = await freePort();
  const env = {
    ...simulatedFleetEnv(fleet.server.url, dir),
    RIGBENCH_COLLECTOR_METRICS_LISTEN: `127.0.0.1:${port}`,
  };
  const agent = await fleet.startAgent('sim-m');
  const stop = new AbortController();
  const collecting = cli(['collect', '--stats-every', '0'], env, stop.signal);
  try {
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      return res.ok ? res.text() : '';
    };
    await eventually(async () => valueOf(await scrape().catch(() => ''), 'rigbench_collector_up') === 1, {
      timeoutMs: 20_000,
      description: 'collector metrics served',
    });
    const run = await cli(['run', 'examples/quick-cpu.yaml', '--agents', 'sim-m', '--detach'], env);
    expect(run.code).toBe(0);
    // quick-cpu: 8 cases x 3 repetitions = 2 + 8 x 5 = 42 events.
    await jetstream(fleet.nc).publish('rigbench.events.sim-m.r-bad', '{"v":1,"type":"sample.recorded"', {
      msgID: 'metrics-bad-1',
    });
    const text = await eventually(
      async () => {
        const t = await scrape();
        const stored = valueOf(t, 'rigbench_collector_events_stored_total') ?? 0;
        const lag = valueOf(t, 'rigbench_collector_consumer_lag_messages');
        const quarantined = valueOf(t, 'rigbench_collector_events_quarantined_total') ?? 0;
        return stored >= 42 && quarantined >= 1 && lag === 0 ? t : false;
      },
      { timeoutMs: 30_000, description: 'every event stored, one quarantined, lag 0' },
    );
    expect(valueOf(text, 'rigbench_collector_events_stored_total')).toBe(42);
    expect(valueOf(text, 'rigbench_collector_events_quarantined_total')).toBe(1);
    expect(valueOf(text, 'rigbench_collector_events_received_total')).toBeGreaterThanOrEqual(43);
    expect(valueOf(text, 'rigbench_collector_events_duplicate_total')).toBe(0);
    expect(valueOf(text, 'rigbench_collector_store_bytes')).toBeGreaterThan(4096);
    const lastBatch = valueOf(text, 'rigbench_collector_last_batch_timestamp_seconds') ?? 0;
    expect(Math.abs(Date.now() / 1000 - lastBatch)).toBeLessThan(60);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (promtool.error)
      throw new Error(`promtool missing: apt-get install prometheus (${promtool.error.message})`);
    expect(`${promtool.stdout}${promtool.stderr}`).toBe('');
    expect(promtool.status).toBe(0);
    // The families the dashboard and alerts may use (deploy-helpers COLLECTOR_METRICS) are exactly these.
    const families = [...text.matchAll(/^# TYPE (\w+) /gm)].map((m) => m[1] ?? '').sort();
    expect(families).toEqual([...COLLECTOR_METRICS].sort());
  } finally {
    stop.abort();
    await agent.stop();
  }
  const collected = await collecting;
  expect(collected.code).toBe(0);
  expect(collected.err).toContain(`metrics=http://127.0.0.1:${port}/metrics`);
});
