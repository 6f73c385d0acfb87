import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  credentials,
  Metadata,
  type ChannelCredentials,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadAgentProto, type AgentRpc, type BenchPlan } from '@rigbench/shared';
import {
  AgentRuntime,
  compileAgentConfig,
  loadRawAgentConfig,
  type AgentEndpoints,
  type AgentLogger,
} from '../../apps/agent/src/index.js';
import type { DownloadPlanner } from '../../apps/agent/src/security/index.js';

/** A logger that drops everything (tests that do not look at logs). */
const silentAgentLogger: AgentLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentAgentLogger,
};

/** An in-process agent built from real config flags, with a typed client. */
export interface TestAgent {
  runtime: AgentRuntime;
  endpoints: AgentEndpoints;
  client: AgentRpc.AgentServiceClient;
  stop(): Promise<void>;
}

/** Options of {@link startTestAgent}. */
export interface TestAgentOptions {
  natsUrl: string;
  modelsDir: string;
  /** Extra `--flag value` pairs, as on the command line. */
  argv?: string[];
  /** Outbox directory (default: a fresh temp dir); reuse one to restart an agent on its pending events. */
  outboxDir?: string;
  /** The model downloader (default node-llama-cpp's against Hugging Face); a local mirror in tests. */
  downloadPlanner?: DownloadPlanner;
}

/** Starts an agent on 127.0.0.1:0 (gRPC and metrics) with a fresh outbox dir. */
export async function startTestAgent(options: TestAgentOptions): Promise<TestAgent> {
  const outbox = options.outboxDir ?? mkdtempSync(join(tmpdir(), 'rigbench-agent-outbox-'));
  const { raw } = loadRawAgentConfig({
    argv: [
      '--id',
      'agent-test',
      '--listen',
      '127.0.0.1:0',
      '--metrics-listen',
      '127.0.0.1:0',
      '--nats-servers',
      options.natsUrl,
      '--models-dir',
      options.modelsDir,
      '--outbox-dir',
      outbox,
      '--shutdown-grace-seconds',
      '10',
      ...(options.argv ?? []),
    ],
    env: {},
  });
  const runtime = new AgentRuntime(compileAgentConfig(raw), {
    logger: silentAgentLogger,
    hashCacheFile: join(outbox, 'sha256-cache.json'),
    ...(options.downloadPlanner ? { downloadPlanner: options.downloadPlanner } : {}),
  });
  const endpoints = await runtime.start();
  const client = agentClient(endpoints.grpc);
  return {
    runtime,
    endpoints,
    client,
    stop: async () => {
      client.close();
      await runtime.stop();
    },
  };
}

/** A typed AgentService client (plaintext by default; auth tokens go into per-call metadata). */
export function agentClient(
  address: string,
  channel: ChannelCredentials = credentials.createInsecure(),
): AgentRpc.AgentServiceClient {
  return new (loadAgentProto().rigbench.v1.AgentService)(address, channel);
}

/** Metadata with `authorization: <value>` (e.g. `Bearer t`), for per-call auth on plaintext channels. */
export function authMetadata(value?: string): Metadata {
  const metadata = new Metadata();
  if (value !== undefined) metadata.set('authorization', value);
  return metadata;
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response?: Res) => void,
) => unknown;

/** Calls a unary method as a promise, with a 30 s deadline. */
export function call<Req, Res>(
  client: AgentRpc.AgentServiceClient,
  method: (this: AgentRpc.AgentServiceClient, ...args: never[]) => unknown,
  request: Req,
  metadata: Metadata = new Metadata(),
): Promise<Res> {
  return new Promise((resolve, reject) => {
    (method as unknown as UnaryMethod<Req, Res>).call(
      client,
      request,
      metadata,
      { deadline: new Date(Date.now() + 30_000) },
      (error, response) => (error ? reject(error) : resolve(response as Res)),
    );
  });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Every message of a server stream until it ends. */
export function collect<T>(stream: ClientReadableStream<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const items: T[] = [];
    stream.on('data', (item: T) => items.push(item));
    stream.on('error', reject);
    stream.on('end', () => resolve(items));
  });
}

/** A small CPU plan on one model file, threads 1 (the default thread count is far slower on small machines). */
export function cpuPlan(modelSource: string, overrides: Partial<BenchPlan> = {}): Record<string, unknown> {
  return {
    version: 1,
    name: 'agent-test',
    models: [{ id: 'tiny', source: modelSource }],
    prompts: {
      chat: [{ id: 'q1', text: 'hello' }],
      raw: [{ id: 'pp16-tg8', promptTokens: 16, generatedTokens: 8 }],
    },
    matrix: { backend: ['cpu'], threads: [1], contextSize: [256], batchSize: [64] },
    generation: { maxTokens: 8, ignoreEos: true },
    warmup: 0,
    repetitions: 2,
    ...overrides,
  };
}
