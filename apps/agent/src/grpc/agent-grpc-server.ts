import { Server, type ServerCredentials } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { loadAgentPackageDefinition, PROTO_LOADER_OPTIONS, type AgentRpc } from '@rigbench/shared';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';

/** The AgentService's full name, as health checks and reflection name it. */
export const AGENT_SERVICE_NAME = 'rigbench.v1.AgentService';

/** Options of {@link AgentGrpcServer}. */
export interface AgentGrpcServerOptions {
  handlers: AgentRpc.AgentServiceHandlers;
  credentials: ServerCredentials;
  /** Largest message received or sent, in bytes. */
  maxMessageBytes: number;
  /** Interval of keepalive pings, in milliseconds (minutes: homelab links idle for long). */
  keepaliveTimeMs: number;
  /** How long a keepalive ping may go unanswered, in milliseconds. */
  keepaliveTimeoutMs: number;
}

export type GrpcServerState = 'idle' | 'serving' | 'stopping' | 'stopped';

/** The server could not bind its address. */
export class GrpcBindError extends Error {
  override name = 'GrpcBindError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The agent's gRPC server: AgentService, `grpc.health.v1.Health` (overall and per service) and server
 * reflection (v1 and v1alpha) covering both.
 */
export class AgentGrpcServer {
  readonly #server: Server;
  readonly #health: HealthImplementation;
  readonly #credentials: ServerCredentials;
  #state: GrpcServerState = 'idle';
  #port = 0;

  constructor(options: AgentGrpcServerOptions) {
    this.#credentials = options.credentials;
    this.#server = new Server({
      'grpc.max_receive_message_length': options.maxMessageBytes,
      'grpc.max_send_message_length': options.maxMessageBytes,
      'grpc.keepalive_time_ms': options.keepaliveTimeMs,
      'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs,
      // Clients may ping as often as we do; stricter would GOAWAY well-behaved controllers.
      'grpc.http2.min_ping_interval_without_data_ms': Math.min(options.keepaliveTimeMs, 60_000),
      'grpc.keepalive_permit_without_calls': 1,
    });
    const agentPackage = loadAgentPackageDefinition();
    const proto = agentPackage[AGENT_SERVICE_NAME];
    this.#server.addService(proto as never, options.handlers as never);
    this.#health = new HealthImplementation({ '': 'NOT_SERVING', [AGENT_SERVICE_NAME]: 'NOT_SERVING' });
    this.#health.addToServer(this.#server);
    const healthPackage = loadSync(healthProtoPath, PROTO_LOADER_OPTIONS);
    new ReflectionService({ ...agentPackage, ...healthPackage }).addToServer(this.#server);
  }

  get state(): GrpcServerState {
    return this.#state;
  }

  /** The bound port (the real one when 0 was asked for); 0 before `start()`. */
  get port(): number {
    return this.#port;
  }

  /** Binds `address` (`host:port`), starts serving and reports SERVING; resolves to the bound port. */
  async start(address: string): Promise<number> {
    if (this.#state !== 'idle') throw new Error(`AgentGrpcServer.start: already ${this.#state}`);
    this.#port = await new Promise<number>((resolve, reject) => {
      this.#server.bindAsync(address, this.#credentials, (error, port) => {
        if (error)
          reject(new GrpcBindError(`gRPC: cannot listen on ${address}: ${error.message}`, { cause: error }));
        else resolve(port);
      });
    });
    this.#state = 'serving';
    this.setServing(true);
    return this.#port;
  }

  /** Health status of the server and of AgentService. */
  setServing(serving: boolean): void {
    const value = serving ? 'SERVING' : 'NOT_SERVING';
    this.#health.setStatus('', value);
    this.#health.setStatus(AGENT_SERVICE_NAME, value);
  }

  /**
   * Health NOT_SERVING, then `tryShutdown` (running calls finish, new ones are refused), then `forceShutdown`
   * when that takes longer than `graceMs`. Resolves true when the graceful path sufficed.
   */
  async stop(graceMs: number): Promise<boolean> {
    if (this.#state === 'stopped' || this.#state === 'idle') {
      this.#state = 'stopped';
      return true;
    }
    this.#state = 'stopping';
    this.setServing(false);
    let timer: NodeJS.Timeout | undefined;
    const graceful = await Promise.race([
      new Promise<boolean>((resolve) => this.#server.tryShutdown(() => resolve(true))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (!graceful) this.#server.forceShutdown();
    this.#state = 'stopped';
    return graceful;
  }
}
