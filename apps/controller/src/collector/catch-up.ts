import type { NatsConnection } from '@nats-io/transport-node';
import type { ControllerConfig } from '../config/controller-config.js';
import type { RunStore } from '../store/run-store.js';
import type { Logger } from '@rigbench/shared';
import { EventCollector, type CollectorStats } from './event-collector.js';

/** Builds a collector from the controller config (the `collector` section, and `nats` for the stream). */
export function collectorFor(
  nc: NatsConnection,
  store: RunStore,
  config: Pick<ControllerConfig, 'collector' | 'nats'>,
  logger?: Logger,
): EventCollector {
  const { collector } = config;
  return new EventCollector({
    nc,
    store,
    durableName: collector.durableName,
    batchSize: collector.batchSize,
    maxAckPending: collector.maxAckPending,
    ackWaitMs: collector.ackWaitMs,
    writer: collector.writer,
    stream: { replicas: config.nats.streamReplicas },
    ...(logger ? { logger } : {}),
  });
}

/** Resolves after `ms` or when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}

/**
 * Reads what the stream holds for this controller's durable consumer into the store, then stops: what `show`
 * and `report` do first, so they see events that arrived while no collector ran.
 */
export async function catchUp(
  nc: NatsConnection,
  store: RunStore,
  config: Pick<ControllerConfig, 'collector' | 'nats'>,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<{ caughtUp: boolean; stats: CollectorStats }> {
  const collector = collectorFor(nc, store, config);
  await collector.start();
  const deadline = Date.now() + options.timeoutMs;
  let caughtUp = false;
  try {
    while (!options.signal?.aborted && Date.now() < deadline) {
      if ((await collector.backlog()) === 0) {
        caughtUp = true;
        break;
      }
      await sleep(50, options.signal);
    }
  } finally {
    await collector.stop();
  }
  return { caughtUp, stats: { ...collector.stats } };
}
