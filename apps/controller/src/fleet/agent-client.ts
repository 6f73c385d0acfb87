import { readFileSync } from 'node:fs';
import { credentials, Metadata, type ChannelCredentials, type ClientReadableStream } from '@grpc/grpc-js';
import { loadAgentProto, type AgentRpc } from '@rigbench/shared';
import type { TlsFiles } from '../config/controller-config.js';
import { agentCallError } from './agent-errors.js';

/** How to reach one agent. */
export interface AgentEndpoint {
  agentId: string;
  /** `host:port`. */
  address: string;
  token?: string;
  tls?: TlsFiles;
  /**
   * Name the agent's TLS certificate must carry (instead of the address's host): set for agents known from
   * heartbeats, whose address proves nothing, so that only the agent itself can take the token.
   */
  tlsServerName?: string;
}

export interface AgentClientOptions {
  /** Deadline of unary calls, in milliseconds. */
  deadlineMs: number;
  /** Keepalive ping interval, in milliseconds (agents allow one every few minutes). */
  keepaliveMs: number;
}

let proto: ReturnType<typeof loadAgentProto> | undefined;

function channelCredentials(tls: TlsFiles | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  const read = (file: string | undefined): Buffer | null => (file ? readFileSync(file) : null);
  return credentials.createSsl(read(tls.ca), read(tls.key), read(tls.cert));
}

/**
 * A typed client of one agent's `rigbench.v1.AgentService`: bearer token on every call, optional TLS (with a
 * client certificate), deadlines on unary calls, errors mapped to {@link agentCallError} classes that name the
 * agent and its address.
 */
export class AgentClient {
  private readonly client: AgentRpc.AgentServiceClient;

  constructor(
    readonly endpoint: AgentEndpoint,
    private readonly options: AgentClientOptions,
  ) {
    proto ??= loadAgentProto();
    this.client = new proto.rigbench.v1.AgentService(endpoint.address, channelCredentials(endpoint.tls), {
      'grpc.keepalive_time_ms': options.keepaliveMs,
      'grpc.keepalive_timeout_ms': 20_000,
      // Generous for WatchRun of big runs; StartRun carries the plan.
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      ...(endpoint.tls && endpoint.tlsServerName
        ? {
            'grpc.ssl_target_name_override': endpoint.tlsServerName,
            'grpc.default_authority': endpoint.tlsServerName,
          }
        : {}),
    });
  }

  private metadata(): Metadata {
    const metadata = new Metadata();
    if (this.endpoint.token) metadata.set('authorization', `Bearer ${this.endpoint.token}`);
    return metadata;
  }

  private unary<Req, Res>(
    call: string,
    method: (
      req: Req,
      md: Metadata,
      opts: { deadline: Date },
      cb: (err: Error | null, res?: Res) => void,
    ) => unknown,
    request: Req,
    deadlineMs = this.options.deadlineMs,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      method.call(
        this.client,
        request,
        this.metadata(),
        { deadline: new Date(Date.now() + deadlineMs) },
        (err, res) => {
          if (err) reject(agentCallError(this.endpoint.agentId, this.endpoint.address, call, err));
          else resolve(res as Res);
        },
      );
    });
  }

  getInfo(deadlineMs?: number): Promise<AgentRpc.AgentInfo__Output> {
    return this.unary('GetInfo', this.client.getInfo as never, {}, deadlineMs);
  }

  listModels(): Promise<AgentRpc.ListModelsResponse__Output> {
    return this.unary('ListModels', this.client.listModels as never, {});
  }

  startRun(request: AgentRpc.StartRunRequest): Promise<AgentRpc.StartRunResponse__Output> {
    return this.unary('StartRun', this.client.startRun as never, request);
  }

  cancelRun(request: AgentRpc.CancelRunRequest): Promise<AgentRpc.CancelRunResponse__Output> {
    return this.unary('CancelRun', this.client.cancelRun as never, request);
  }

  /** Every event of a run from `fromSeq`; ends after `run.finished`, or when `signal` aborts. */
  async *watchRun(
    runId: string,
    fromSeq = 1,
    signal?: AbortSignal,
  ): AsyncGenerator<AgentRpc.RunUpdate__Output> {
    const stream: ClientReadableStream<AgentRpc.RunUpdate__Output> = this.client.watchRun(
      { run_id: runId, from_seq: fromSeq },
      this.metadata(),
    );
    const onAbort = (): void => stream.cancel();
    signal?.addEventListener('abort', onAbort);
    try {
      for await (const update of stream) yield update as AgentRpc.RunUpdate__Output;
    } catch (error) {
      if (signal?.aborted) return;
      throw agentCallError(this.endpoint.agentId, this.endpoint.address, 'WatchRun', error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stream.cancel();
    }
  }

  close(): void {
    this.client.close();
  }
}
