/**
 * The controller CLI as the cross-process CLI tests drive it: `rigbench` run in this test process with its output
 * captured, the environment that points it at a test NATS, and a fleet of SimulatedAgent stand-ins (real gRPC and
 * JetStream, synthetic samples) for it to talk to.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { NatsConnection } from '@nats-io/transport-node';
import { runCli } from '../../apps/controller/src/cli/program.js';
import { streamOutput } from '../../apps/controller/src/cli/output.js';
import { SimulatedAgent, type SimulatedAgentOptions } from './simulated-agent.js';
import { useNatsServer } from './nats-fixture.js';
import type { NatsServerHandle } from './nats-server.js';

const repoRoot = join(import.meta.dirname, '..', '..');

/** The agent token the simulated fleet's agents require and {@link simulatedFleetEnv} gives the controller. */
export const SIMULATED_FLEET_TOKEN = 'secret';

/** What one `rigbench` invocation returned. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** Everything written to stdout. */
  out: string;
  /** Everything written to stderr. */
  err: string;
}

/**
 * Runs `rigbench <args>` in this process from the repository root (so `examples/…` paths resolve) with stdout and
 * stderr captured. `env` holds only what the test gives it, HOME defaulting to the system temp dir so no user
 * config is read.
 */
export async function runControllerCli(
  args: string[],
  env: Record<string, string> = {},
  signal = new AbortController().signal,
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runCli(args, {
    output: streamOutput(stdout, stderr),
    env: { HOME: env.HOME ?? tmpdir(), ...env },
    cwd: repoRoot,
    signal,
  });
  return { code, out, err };
}

/**
 * The controller's environment for a simulated fleet on the NATS at `natsUrl`: HOME and the store in `dir`, the
 * fleet's agent token, and a 3 s heartbeat listen. The simulated agents are on loopback and known from their
 * heartbeats only (a test NATS has no per-agent users), so heartbeat addresses are trusted.
 */
export function simulatedFleetEnv(natsUrl: string, dir: string): Record<string, string> {
  return {
    HOME: dir,
    RIGBENCH_NATS_SERVERS: natsUrl,
    RIGBENCH_STORE: join(dir, 'store.db'),
    RIGBENCH_AGENT_TOKEN: SIMULATED_FLEET_TOKEN,
    RIGBENCH_FLEET_TRUST_HEARTBEAT_ADDRESSES: 'true',
    RIGBENCH_FLEET_LISTEN_SECONDS: '3',
  };
}

/** A real nats-server (JetStream) and SimulatedAgent stand-ins on it, from {@link useSimulatedFleet}. */
export interface SimulatedFleet {
  /** The server, started before the block's first test and disposed after its last. */
  readonly server: NatsServerHandle;
  /** A connection to {@link server}, for the agents and for tests that publish themselves. */
  readonly nc: NatsConnection;
  /**
   * Starts a simulated agent with the fleet's token and 0.2 s heartbeats (`options` override them); it is stopped
   * after the test that started it.
   */
  startAgent(agentId: string, options?: Partial<SimulatedAgentOptions>): Promise<SimulatedAgent>;
}

/**
 * Registers, in the calling `describe` block (or file), the hooks of a simulated fleet: a nats-server and a
 * connection to it for the whole block, and the stop of every agent a test started after that test. Call it before
 * the block's own `afterEach` hooks so the agents stop first.
 */
export function useSimulatedFleet(): SimulatedFleet {
  const nats = useNatsServer();
  const agents: SimulatedAgent[] = [];
  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.stop();
  });
  return {
    get server() {
      return nats.server;
    },
    get nc() {
      return nats.nc;
    },
    async startAgent(agentId, options = {}) {
      const agent = new SimulatedAgent({
        agentId,
        nc: nats.nc,
        token: SIMULATED_FLEET_TOKEN,
        heartbeatIntervalSeconds: 0.2,
        ...options,
      });
      agents.push(agent);
      await agent.start();
      return agent;
    },
  };
}
