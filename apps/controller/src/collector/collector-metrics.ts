import { statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import type { EventCollector } from './event-collector.js';

/** What the collector's `/metrics` reads at each scrape. */
export interface CollectorMetricsSource {
  collector: EventCollector;
  /** The SQLite store file; its size (with `-wal`) is exported. */
  storePath: string;
}

/** The metrics server could not bind its address. */
export class CollectorMetricsBindError extends Error {
  override name = 'CollectorMetricsBindError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

const fileBytes = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/**
 * Prometheus metrics of `rigbench collect`, read from the collector at scrape time: events received, stored,
 * duplicates, quarantined, failed batches, consumer lag, the time of the last stored batch and the store size.
 */
export function collectorRegistry(source: CollectorMetricsSource): Registry {
  const registry = new Registry();
  const registers = [registry];
  const { collector } = source;
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  total(
    'rigbench_collector_events_received_total',
    'Messages taken from the event stream (redeliveries included).',
    () => collector.stats.received,
  );
  total(
    'rigbench_collector_events_stored_total',
    'Events newly written to the store.',
    () => collector.stats.stored,
  );
  total(
    'rigbench_collector_events_duplicate_total',
    'Events the store already held (redeliveries, re-publishes).',
    () => collector.stats.duplicates,
  );
  total(
    'rigbench_collector_events_quarantined_total',
    'Messages that could not be parsed or stored, kept in the quarantine.',
    () => collector.stats.quarantined,
  );
  total(
    'rigbench_collector_failed_batches_total',
    'SQLite batches that failed and were redelivered.',
    () => collector.stats.failedBatches,
  );
  new Gauge({
    name: 'rigbench_collector_consumer_lag_messages',
    help: 'Events on the stream not yet delivered or acknowledged for this collector (0 = caught up; -1 = unknown).',
    registers,
    async collect() {
      this.set(await collector.backlog().catch(() => -1));
    },
  });
  new Gauge({
    name: 'rigbench_collector_last_batch_timestamp_seconds',
    help: 'Unix time the collector last committed a batch of events to the store (0 before the first).',
    registers,
    collect() {
      this.set(collector.lastBatchAtMs === null ? 0 : collector.lastBatchAtMs / 1000);
    },
  });
  new Gauge({
    name: 'rigbench_collector_store_bytes',
    help: 'Size of the SQLite store, its write-ahead log included, in bytes.',
    registers,
    collect() {
      this.set(fileBytes(source.storePath) + fileBytes(`${source.storePath}-wal`));
    },
  });
  new Gauge({
    name: 'rigbench_collector_up',
    help: '1 while the collector is consuming the event stream.',
    registers,
    collect() {
      this.set(collector.state === 'running' ? 1 : 0);
    },
  });
  return registry;
}

/** A node:http server for one registry: `GET /metrics` and `GET /healthz`; everything else 404. */
export class CollectorMetricsServer {
  private server: Server | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** `http://host:port` once started. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${address?.port ?? this.port}`;
  }

  /** Binds; rejects with {@link CollectorMetricsBindError} naming the address when it is taken. */
  async start(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        this.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': this.registry.contentType });
            res.end(text);
          },
          (error: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`metrics failed: ${(error as Error).message}\n`);
          },
        );
      } else if (req.method === 'GET' && req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok\n');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found\n');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          new CollectorMetricsBindError(
            `cannot serve collector metrics on ${this.host}:${this.port}: ${error.message}; set ` +
              "collector.metricsListen (RIGBENCH_COLLECTOR_METRICS_LISTEN) to a free HOST:PORT or 'off'",
            { cause: error },
          ),
        ),
      );
      server.listen(this.port, this.host, () => resolve());
    });
    this.server = server;
  }

  /** Closes the listener and open connections. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
