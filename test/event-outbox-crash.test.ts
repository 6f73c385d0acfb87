import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EVENT_STREAM } from '@rigbench/shared';
import { EventPublisher } from '../apps/agent/src/events/index.js';
import { useNatsServer } from './support/nats-fixture.js';
import { readStream } from './support/stream-reader.js';

const AGENT = 'agent-crash';
const RUN = 'run-crash';
/** The compiled agent (`npm run build`), so the crashing process is a plain node process like the real agent. */
const AGENT_EVENTS = resolve('apps/agent/dist/events/index.js');

/** Publishes events in windows of 50 and reports `durable <highest seq>` after each; killed by the test. */
const CHILD = `
const [modUrl, url, dir] = process.argv.slice(2);
const { EventPublisher } = await import(modUrl);
const publisher = new EventPublisher({
  agentId: '${AGENT}',
  nats: { servers: [url] },
  outbox: { dir, maxBytes: 64 * 1024 * 1024 },
  maxInFlight: 1,
});
await publisher.start();
const event = (seq) => ({
  v: 1, type: 'sample.recorded', runId: '${RUN}', agentId: '${AGENT}', seq, time: new Date().toISOString(),
  caseId: 'c1', sample: { caseId: 'c1', repetition: seq, pad: 'x'.repeat(300) },
});
for (let first = 1; ; first += 50) {
  await Promise.all(Array.from({ length: 50 }, (_, i) => publisher.publish(event(first + i))));
  process.stdout.write('durable ' + (first + 49) + '\\n');
}
`;

describe('EventOutbox - agent process killed mid-run', () => {
  const nats = useNatsServer();
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'rigbench-crash-'));
  });
  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
  });

  test('outbox - events durable before a SIGKILL are delivered exactly once by the restarted agent', async () => {
    if (!existsSync(AGENT_EVENTS)) {
      throw new Error(`${AGENT_EVENTS} is missing: run 'npm run build' (tsc -b) before this test`);
    }
    const dir = join(work, 'outbox');
    const script = join(work, 'child.mjs');
    writeFileSync(script, CHILD);
    const child = spawn(process.execPath, [script, pathToFileURL(AGENT_EVENTS).href, nats.server.url, dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Everything the child reported durable must arrive, whatever was in flight when it died.
    let reportedDurable = 0;
    const exited = new Promise<void>((done, fail) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (child.signalCode === null && line.startsWith('durable ')) {
            reportedDurable = Number(line.slice('durable '.length));
            if (reportedDurable >= 2000) child.kill('SIGKILL');
          }
        }
      });
      child.once('exit', (code, signal) =>
        signal === 'SIGKILL' ? done() : fail(new Error(`child exited with ${code}: ${stderr}`)),
      );
    });
    await exited;
    expect(reportedDurable).toBeGreaterThanOrEqual(2000);

    const restarted = new EventPublisher({
      agentId: AGENT,
      nats: { servers: [nats.server.url] },
      outbox: { dir, maxBytes: 64 * 1024 * 1024 },
    });
    await restarted.start();
    const pendingAfterCrash = restarted.pendingCount();
    expect(pendingAfterCrash).toBeGreaterThan(0);
    expect(await restarted.flush(30_000)).toBe(true);
    await restarted.stop();

    const seqs = (await readStream(nats.nc, EVENT_STREAM)).map((m) => Number(m.msgId.split('.').pop()));
    expect(new Set(seqs).size).toBe(seqs.length);
    const stored = new Set(seqs);
    const missing = [];
    for (let seq = 1; seq <= reportedDurable; seq += 1) if (!stored.has(seq)) missing.push(seq);
    expect(missing).toEqual([]);
    // Nothing beyond what the child got to write, and no gaps: the outbox only holds whole appends.
    expect(Math.max(...seqs)).toBe(seqs.length);
  });
});
