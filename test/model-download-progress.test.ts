/**
 * Model download progress as events: a local HTTP server stands in for the Hugging Face endpoint (no internet
 * here) and serves a synthetic GGUF slowly, with range requests; node-llama-cpp's real downloader fetches it.
 * First through the agent's guarded resolver alone (progress throttled, the file byte-identical), then as a real
 * run of an in-process agent (real NATS, gRPC, inference): the run's event stream carries `model.download`
 * events before the case starts, and the controller's follow status reads them.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSynthModel, parseEvent, type AgentRpc, type RigbenchEvent } from '@rigbench/shared';
import {
  createNodeLlamaCppDownloadPlanner,
  guardedUriResolver,
  type DownloadProgress,
} from '../apps/agent/src/security/index.js';
import { downloadStatus } from '../apps/controller/src/dispatch/agent-progress.js';
import { runCompleteness } from '../apps/controller/src/store/run-completeness.js';
import { RunStore } from '../apps/controller/src/store/run-store.js';
import { authMetadata, call, collect, cpuPlan, startTestAgent } from './support/agent-harness.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';

const REPO = 'rigbench/synth-GGUF';
const FILE = 'tiny-f32.gguf';
const SOURCE = `hf:${REPO}/${FILE}`;
let model: Buffer;
let server: Server;
let endpoint: string;
const requests: string[] = [];

/** Serves `model` at `/<repo>/resolve/main/<file>`, 64 KiB every 10 ms, honouring `Range`. */
function startMirror(): Promise<void> {
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== `/${REPO}/resolve/main/${FILE}`) {
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] !== '' ? Math.min(Number(range[2]), model.length - 1) : model.length - 1;
    res.writeHead(range ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(end - start + 1),
      'accept-ranges': 'bytes',
      etag: '"synth"',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${model.length}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    let at = start;
    const timer = setInterval(() => {
      const chunkEnd = Math.min(end + 1, at + 65536);
      res.write(model.subarray(at, chunkEnd));
      at = chunkEnd;
      if (at > end) {
        clearInterval(timer);
        res.end();
      }
    }, 10);
    res.on('close', () => clearInterval(timer));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
      resolve();
    }),
  );
}

const policy = { enabled: true, allowRepos: ['rigbench/*'], maxBytes: 64 * 1024 * 1024, minFreeBytes: 0 };
const quiet = { info: () => undefined };
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

let nats: NatsServerHandle;
beforeAll(async () => {
  const source = mkdtempSync(join(tmpdir(), 'rigbench-mirror-'));
  model = readFileSync(await ensureSynthModel(source, 'tiny', { type: 'f32' }));
  await startMirror();
  nats = await startNatsServer();
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await nats?.dispose();
});

test('model download (local mirror, real downloader) - progress throttled to 5 % steps, done once, file intact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rigbench-download-models-'));
  const progress: DownloadProgress[] = [];
  const resolve = guardedUriResolver(
    policy,
    createNodeLlamaCppDownloadPlanner({ huggingFace: endpoint }),
    quiet,
  );
  const path = await resolve(SOURCE, dir, undefined, (p) => progress.push(p));
  expect(sha(readFileSync(path))).toBe(sha(model));
  expect(requests.some((r) => r.includes(`/${REPO}/resolve/main/${FILE}`))).toBe(true);
  // At 64 KiB per 10 ms the transfer takes longer than the 5 % steps: several reports, in order, one `done`.
  expect(progress.length).toBeGreaterThanOrEqual(4);
  expect(progress.every((p) => p.source === SOURCE && p.totalBytes === model.length)).toBe(true);
  const bytes = progress.map((p) => p.downloadedBytes);
  expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
  expect(progress.filter((p) => p.done)).toEqual([progress[progress.length - 1]]);
  expect(progress[progress.length - 1]!.downloadedBytes).toBe(model.length);
  // Throttled: never more than one report per 5 % step (plus the first and the last).
  expect(progress.length).toBeLessThanOrEqual(22);
});

test('model download (local mirror) - a run reports progress as model.download events before its case starts', async () => {
  const modelsDir = mkdtempSync(join(tmpdir(), 'rigbench-download-agent-models-'));
  const configFile = join(mkdtempSync(join(tmpdir(), 'rigbench-download-config-')), 'agent.json');
  writeFileSync(configFile, JSON.stringify({ downloads: { ...policy } }));
  const agent = await startTestAgent({
    natsUrl: nats.url,
    modelsDir,
    argv: ['--config', configFile],
    downloadPlanner: createNodeLlamaCppDownloadPlanner({ huggingFace: endpoint }),
  });
  try {
    const runId = 'download-run';
    await call(
      agent.client,
      agent.client.StartRun,
      { run_id: runId, plan_json: JSON.stringify(cpuPlan(SOURCE, { repetitions: 1 })) },
      authMetadata(),
    );
    const updates = await collect<AgentRpc.RunUpdate__Output>(
      agent.client.WatchRun({ run_id: runId, from_seq: 1 }),
    );
    const events: RigbenchEvent[] = updates.map((u) => parseEvent(u.event_json));
    const types = events.map((e) => e.type);
    const downloads = events.filter((e) => e.type === 'model.download');
    expect(downloads.length).toBeGreaterThanOrEqual(2);
    // All before the first case starts, the last one complete, seqs gap-free as for any event.
    expect(types.lastIndexOf('model.download')).toBeLessThan(types.indexOf('case.started'));
    expect(downloads[downloads.length - 1]).toMatchObject({ done: true, totalBytes: model.length });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const finished = events[events.length - 1];
    expect(finished).toMatchObject({ type: 'run.finished', outcome: 'completed' });
    // The controller's store keeps them with the run's events; the run is complete with them.
    const store = RunStore.open(join(mkdtempSync(join(tmpdir(), 'rigbench-download-store-')), 'runs.sqlite'));
    try {
      store.writeEvents(events);
      expect(store.storedSeqs(runId, 'agent-test')).toEqual(events.map((e) => e.seq));
      expect(runCompleteness(store, runId).status).toBe('complete');
    } finally {
      store.close();
    }
    // What `rigbench run` shows while it waits, and once it is done.
    const last = downloads[downloads.length - 1] as Extract<RigbenchEvent, { type: 'model.download' }>;
    expect(downloadStatus(last.source, last.downloadedBytes, last.totalBytes, last.done)).toMatch(
      new RegExp(`^model download ${SOURCE} done \\(\\d+\\.\\d MB\\)$`),
    );
  } finally {
    await agent.stop();
  }
});
