import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Options for {@link MetricsServer}. */
export interface MetricsServerOptions {
  registry: Registry;
  /** Bind address (default `127.0.0.1`; `0.0.0.0` for a Prometheus on another host). */
  host?: string;
  /** TCP port; 0 picks a free one (read it from `port` after `start()`). Default 9464. */
  port?: number;
  /** `/healthz` answers 200 while this returns true, else 503 (default: always healthy). */
  healthy?: () => boolean;
}

/** The metrics server could not bind its address. */
export class MetricsServerBindError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MetricsServerBindError';
  }
}

export type MetricsServerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** A small node:http server for Prometheus: `GET /metrics` (text format) and `GET /healthz`. */
export class MetricsServer {
  private readonly registry: Registry;
  private readonly host: string;
  private readonly requestedPort: number;
  private readonly healthy: () => boolean;
  private server: Server | undefined;
  private boundPort = 0;
  private currentState: MetricsServerState = 'idle';

  constructor(options: MetricsServerOptions) {
    this.registry = options.registry;
    this.host = options.host ?? '127.0.0.1';
    this.requestedPort = options.port ?? 9464;
    this.healthy = options.healthy ?? (() => true);
  }

  /** Lifecycle state. */
  get state(): MetricsServerState {
    return this.currentState;
  }

  /** The bound port (the real one when 0 was requested); 0 before `start()`. */
  get port(): number {
    return this.boundPort;
  }

  /** `http://host:port`, for logs and tests. */
  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.boundPort}`;
  }

  /** Binds and starts serving; rejects with {@link MetricsServerBindError} when the address is taken. */
  async start(): Promise<void> {
    if (this.currentState !== 'idle') throw new Error(`MetricsServer.start: already ${this.currentState}`);
    this.currentState = 'starting';
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`metrics collection failed: ${(error as Error).message}\n`);
      });
    });
    // Scrapes are short; do not let idle keep-alive sockets hold stop() open.
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => {
        this.currentState = 'stopped';
        reject(
          new MetricsServerBindError(
            `metrics server: cannot listen on ${this.host}:${this.requestedPort} (${error.message}); ` +
              'choose a free port or 0',
            { cause: error },
          ),
        );
      });
      server.listen({ host: this.host, port: this.requestedPort }, () => resolve());
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.currentState = 'running';
  }

  /** Stops accepting connections and closes open ones. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server || this.currentState !== 'running') {
      this.currentState = 'stopped';
      return;
    }
    this.currentState = 'stopping';
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    this.currentState = 'stopped';
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      const body = await this.registry.metrics();
      res.writeHead(200, { 'content-type': this.registry.contentType });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/healthz') {
      const ok = this.healthy();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(ok ? 'ok\n' : 'unhealthy\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('try /metrics or /healthz\n');
  }
}
