import type { IngestResult } from '../store/store-types.js';

/** A batch for the ingest worker: every payload packed into one transferred buffer. */
export interface IngestRequest {
  id: number;
  stream: string;
  subjects: string[];
  seqs: number[];
  /** Payload i is `buffer[offsets[i] .. offsets[i + 1])`; `offsets` has one more entry than `subjects`. */
  offsets: number[];
  buffer: ArrayBuffer;
}

/** The worker's answer: the batch committed (`result`) or rolled back (`error`). */
export type IngestReply = { id: number; result: IngestResult } | { id: number; error: string };
