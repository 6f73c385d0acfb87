/**
 * The setup most fault scenarios share, registered as one `beforeAll` / `afterAll` pair: the built binaries
 * checked, a nats-server started (JetStream in a temp dir) and the tiny synthetic GGUF model written into a fresh
 * models directory; afterwards the file's own teardown, then every process it handed over SIGKILLed (newest
 * first), then its nats-servers disposed. {@link fixtureAgent} adds the one agent binary a file's tests share.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ensureSynthModel, type AgentRpc } from '@rigbench/shared';
import { agentClient } from '../../support/agent-harness.js';
import { startNatsServer, type NatsServerHandle, type NatsServerOptions } from '../../support/nats-server.js';
import {
  assertBuilt,
  startAgentProc,
  type AgentProc,
  type AgentProcOptions,
  type Proc,
} from './processes.js';

/** Options for {@link faultsFixture}. */
export interface FaultsFixtureOptions {
  /** Prefix of the temp models directory (default `rigbench-faults-models-`), so a leftover dir names its file. */
  modelsPrefix?: string;
  /**
   * The file's nats-server: `true` (default) starts a plain one, `false` none (the tests start their own and push
   * them to {@link FaultsFixture.servers}); a function gives its options, called in `beforeAll` so that it can
   * write a config file first.
   */
  nats?: boolean | (() => NatsServerOptions);
}

/** What {@link faultsFixture} set up; read its fields inside hooks and tests, not at module load. */
export interface FaultsFixture {
  /** The nats-server started in `beforeAll` (throws when `nats: false` or before `beforeAll` ran). */
  readonly nats: NatsServerHandle;
  /** The models directory holding the tiny synthetic model. */
  readonly modelsDir: string;
  /** File name of the synthetic model inside {@link modelsDir} (what plans put in `source`). */
  readonly model: string;
  /** Processes to SIGKILL after the file's tests, newest first. */
  readonly procs: Proc[];
  /** nats-servers to dispose after the processes are killed (the fixture's own one included). */
  readonly servers: NatsServerHandle[];
  /** Runs `stop` after the file's tests, before the processes are killed; in the order registered. */
  teardown(stop: () => unknown): void;
}

/** `value`, once the `beforeAll` that sets it has run. */
function required<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new Error(`${what} is not set: read it inside a hook or test, after beforeAll`);
  return value;
}

/** Registers the shared `beforeAll` / `afterAll` of a fault scenario file; call it at the top level of the file. */
export function faultsFixture(options: FaultsFixtureOptions = {}): FaultsFixture {
  const { modelsPrefix = 'rigbench-faults-models-', nats: natsOption = true } = options;
  let nats: NatsServerHandle | undefined;
  let modelsDir: string | undefined;
  let model: string | undefined;
  const procs: Proc[] = [];
  const servers: NatsServerHandle[] = [];
  const stops: Array<() => unknown> = [];

  beforeAll(async () => {
    assertBuilt();
    if (natsOption !== false) {
      nats = await startNatsServer(natsOption === true ? {} : natsOption());
      servers.push(nats);
    }
    modelsDir = mkdtempSync(join(tmpdir(), modelsPrefix));
    model = basename(await ensureSynthModel(modelsDir, 'tiny'));
  });

  afterAll(async () => {
    for (const stop of stops) await stop();
    for (const proc of procs.reverse()) await proc.kill('SIGKILL');
    for (const server of servers) await server.dispose();
  });

  return {
    get nats() {
      return required(nats, 'faultsFixture: nats (none with nats: false)');
    },
    get modelsDir() {
      return required(modelsDir, 'faultsFixture: modelsDir');
    },
    get model() {
      return required(model, 'faultsFixture: model');
    },
    procs,
    servers,
    teardown: (stop) => void stops.push(stop),
  };
}

/** The agent binary a file's tests share, with a gRPC client on it; read its fields in hooks and tests. */
export interface FixtureAgent {
  readonly proc: AgentProc;
  readonly client: AgentRpc.AgentServiceClient;
}

/**
 * Starts one agent binary on the fixture's nats-server and models directory in `beforeAll` (after the fixture's
 * own setup) and opens a client on it; in teardown closes the client and stops the agent with SIGTERM.
 */
export function fixtureAgent(
  fx: FaultsFixture,
  options: Omit<AgentProcOptions, 'natsUrl' | 'modelsDir'>,
): FixtureAgent {
  let proc: AgentProc | undefined;
  let client: AgentRpc.AgentServiceClient | undefined;
  beforeAll(async () => {
    proc = await startAgentProc({ ...options, natsUrl: fx.nats.url, modelsDir: fx.modelsDir });
    client = agentClient(proc.grpc);
  });
  fx.teardown(async () => {
    client?.close();
    await proc?.kill('SIGTERM');
  });
  return {
    get proc() {
      return required(proc, 'fixtureAgent: proc');
    },
    get client() {
      return required(client, 'fixtureAgent: client');
    },
  };
}
