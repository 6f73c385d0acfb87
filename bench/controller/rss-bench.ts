import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { heartbeatSubject, type AgentHeartbeat, type RigbenchEvent } from '@rigbench/shared';
import { RunStore, ensureEventStream } from '@rigbench/controller';
import { syntheticRunEvents } from '../../test/support/synthetic-run.js';
import type { NatsServerHandle } from '../../test/support/nats-server.js';
import { eventually } from '../../test/support/eventually.js';
import { processRss, publishEvents } from './bench-util.js';

export interface RssFigures {
  agents: number;
  seconds: number;
  heartbeats: number;
  eventsPublished: number;
  eventsStored: number;
  lost: number;
  agentsRecorded: number;
  /** Highest VmRSS sampled, bytes. */
  maxRssBytes: number;
  /** Kernel's peak (VmHWM) at the end, bytes. */
  peakRssBytes: number;
  collectorExitCode: number | null;
}

/**
 * Peak memory of a real `rigbench collect` process (the built CLI) while `agents` simulated agents heartbeat
 * every `heartbeatSeconds` and publish their runs' events at `eventsPerAgentPerSecond` for `seconds`, all
 * from this one process.
 */
export async function benchControllerRss(
  server: NatsServerHandle,
  cliJs: string,
  options: { agents: number; seconds: number; heartbeatSeconds: number; eventsPerAgentPerSecond: number },
): Promise<RssFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'rigbench-bench-rss-'));
  const storePath = join(dir, 'rss.db');
  const nc = await connect({ servers: server.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete('RIGBENCH_EVENTS').catch(() => undefined);
  await ensureEventStream(jsm);
  const js = jetstream(nc);

  const child = spawn(
    process.execPath,
    [cliJs, 'collect', '--nats', server.url, '--store', storePath, '--stats-every', '0'],
    {
      env: { HOME: dir, PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let maxRss = 0;
  const sampler = setInterval(() => {
    try {
      maxRss = Math.max(maxRss, processRss(child.pid as number).rss);
    } catch {
      // The process is gone; the exit code tells.
    }
  }, 200);

  try {
    await eventually(() => stderr.includes('collecting'), {
      timeoutMs: 30_000,
      description: 'collector started',
    }).catch((error: unknown) => {
      throw new Error(`rigbench collect did not start: ${stderr || '(no output)'}`, { cause: error });
    });
    const runs = Array.from({ length: options.agents }, (_, a) =>
      syntheticRunEvents({
        runId: 'rss-run',
        agentId: `sim-${String(a).padStart(3, '0')}`,
        cases: 10_000,
        samplesPerCase: 10,
      }),
    );
    let heartbeats = 0;
    let published = 0;
    const tickMs = 100;
    const ticks = Math.round((options.seconds * 1000) / tickMs);
    const perTick = (options.eventsPerAgentPerSecond * tickMs) / 1000;
    let carry = 0;
    const beatEvery = Math.max(1, Math.round((options.heartbeatSeconds * 1000) / tickMs));
    const started = Date.now();
    for (let t = 0; t < ticks; t += 1) {
      const batch: RigbenchEvent[] = [];
      carry += perTick;
      const n = Math.floor(carry);
      carry -= n;
      for (const [a, run] of runs.entries()) {
        // Heartbeats staggered over the interval, as independent agents would be.
        if ((t + a) % beatEvery === 0) {
          const hb: AgentHeartbeat = {
            v: 1,
            type: 'agent.heartbeat',
            agentId: `sim-${String(a).padStart(3, '0')}`,
            labels: { rack: String(a % 8), gpu: a % 2 ? 'p104' : 'none' },
            address: `10.0.${a >> 8}.${a & 255}:50051`,
            version: '0.0.0-sim',
            busy: true,
            runId: 'rss-run',
            intervalSeconds: options.heartbeatSeconds,
            time: new Date().toISOString(),
          };
          nc.publish(heartbeatSubject(hb.agentId), JSON.stringify(hb));
          heartbeats += 1;
        }
        for (let i = 0; i < n; i += 1) {
          const next = run.next();
          if (!next.done) batch.push(next.value);
        }
      }
      published += await publishEvents(js, batch, 1024);
      const wait = started + (t + 1) * tickMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const seconds = (Date.now() - started) / 1000;

    const store = RunStore.open(storePath);
    let stored = 0;
    let agentsRecorded = 0;
    try {
      await eventually(
        () => {
          stored = store.storedEventCount();
          return stored === published;
        },
        { timeoutMs: 60_000, description: 'every published event stored' },
      ).catch(() => undefined);
      agentsRecorded = store.storedAgents().length;
    } finally {
      store.close();
    }
    clearInterval(sampler);
    const peak = processRss(child.pid as number).peak;
    child.kill('SIGTERM');
    const code = await exited;
    return {
      agents: options.agents,
      seconds,
      heartbeats,
      eventsPublished: published,
      eventsStored: stored,
      lost: published - stored,
      agentsRecorded,
      maxRssBytes: maxRss,
      peakRssBytes: peak,
      collectorExitCode: code,
    };
  } finally {
    clearInterval(sampler);
    if (child.exitCode === null) child.kill('SIGKILL');
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
