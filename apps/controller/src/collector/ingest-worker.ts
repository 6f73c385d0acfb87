/**
 * Worker thread of the collector: parses event batches and writes them into the store, so the main thread only
 * moves messages between NATS and here. Message in: {@link IngestRequest}; out: {@link IngestReply}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RunStore } from '../store/run-store.js';
import { toIngestItem } from './ingest-item.js';
import type { IngestReply, IngestRequest } from './ingest-protocol.js';

const { storePath } = workerData as { storePath: string };
const store = RunStore.open(storePath);
const port = parentPort;
if (!port) throw new Error('ingest-worker must run as a worker thread');

port.on('message', (request: IngestRequest | 'close') => {
  if (request === 'close') {
    store.close();
    port.close();
    return;
  }
  const bytes = new Uint8Array(request.buffer);
  let reply: IngestReply;
  try {
    const items = request.subjects.map((subject, i) =>
      toIngestItem(request.stream, {
        seq: request.seqs[i] as number,
        subject,
        data: bytes.subarray(request.offsets[i], request.offsets[i + 1]),
      }),
    );
    reply = { id: request.id, result: store.ingest(items) };
  } catch (error) {
    reply = { id: request.id, error: (error as Error).message };
  }
  port.postMessage(reply);
});
