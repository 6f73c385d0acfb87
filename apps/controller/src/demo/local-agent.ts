import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ChildProcessHandle } from './child-process-handle.js';
import { DemoPrerequisiteError } from './demo-errors.js';

/** A `rigbench-agent` process on loopback, owned by the demo. */
export interface LocalAgent {
  readonly id: string;
  readonly grpcAddress: string;
  readonly metricsAddress: string;
  stop(): Promise<void>;
}

export interface LocalAgentOptions {
  id: string;
  labels: Record<string, string>;
  natsUrl: string;
  modelsDir: string;
  /** Where the agent keeps its outbox and caches. */
  stateDir: string;
  signal: AbortSignal;
}

/** The built `rigbench-agent` entry point of this checkout or installation. */
export function agentEntryPoint(): string {
  const require = createRequire(import.meta.url);
  try {
    // The package's main module is dist/index.js; the binary sits beside it.
    return join(dirname(require.resolve('@rigbench/agent')), 'main.js');
  } catch (error) {
    throw new DemoPrerequisiteError(
      "the demo needs the agent package '@rigbench/agent' built next to the controller: run 'npm ci && npm run build'",
      { cause: error },
    );
  }
}

interface ListeningLine {
  event: 'listening';
  grpc: string;
  metrics: string;
}

const parseListening = (line: string): ListeningLine | undefined => {
  try {
    const value = JSON.parse(line) as Partial<ListeningLine>;
    return value.event === 'listening' && typeof value.grpc === 'string'
      ? (value as ListeningLine)
      : undefined;
  } catch {
    return undefined;
  }
};

/** Starts an agent with gRPC and metrics on free loopback ports; resolves once it says it is listening. */
export async function startLocalAgent(options: LocalAgentOptions): Promise<LocalAgent> {
  const labels = Object.entries(options.labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const agent = await ChildProcessHandle.spawn(
    `agent ${options.id}`,
    process.execPath,
    [
      agentEntryPoint(),
      '--id',
      options.id,
      '--labels',
      labels,
      '--listen',
      '127.0.0.1:0',
      '--metrics-listen',
      '127.0.0.1:0',
      '--models-dir',
      options.modelsDir,
      '--nats-servers',
      options.natsUrl,
      '--outbox-dir',
      join(options.stateDir, 'outbox'),
      '--heartbeat-interval-seconds',
      '2',
      '--log-level',
      'warn',
    ],
    { cwd: options.stateDir },
    () => new DemoPrerequisiteError(`cannot run ${process.execPath}`),
  );
  try {
    const listening = await agent.waitForLine(parseListening, 60_000, options.signal);
    return {
      id: options.id,
      grpcAddress: listening.grpc,
      metricsAddress: listening.metrics,
      stop: () => agent.stop(),
    };
  } catch (error) {
    await agent.stop();
    throw error;
  }
}
