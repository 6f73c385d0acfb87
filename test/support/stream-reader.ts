import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/** One message read back from a stream. */
export interface StoredMessage {
  subject: string;
  /** `Nats-Msg-Id` header, '' when absent. */
  msgId: string;
  /** Stream sequence. */
  seq: number;
  data: string;
}

/** Reads every message of `stream` in stream order with an ordered consumer. */
export async function readStream(nc: NatsConnection, stream: string): Promise<StoredMessage[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const total = info.state.messages;
  if (total === 0) return [];
  const consumer = await jetstream(nc).consumers.get(stream);
  const out: StoredMessage[] = [];
  const messages = await consumer.consume({ max_messages: 10_000 });
  for await (const m of messages) {
    out.push({
      subject: m.subject,
      msgId: m.headers?.get('Nats-Msg-Id') ?? '',
      seq: m.seq,
      data: m.string(),
    });
    if (m.info.pending === 0) break;
  }
  await messages.close();
  return out;
}
