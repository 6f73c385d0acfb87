import type { NatsConnection } from '@nats-io/transport-node';
import { loadControllerConfig, type ControllerConfig } from '../config/controller-config.js';
import { NatsUnavailableError, connectNats } from '../nats/nats-connection.js';
import { RunStore } from '../store/run-store.js';
import type { Output } from './output.js';

/** What the entry point hands every command: streams, environment, cancellation. */
export interface CliDeps {
  output: Output;
  /** The process environment; the only place it is read is the config loader. */
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Aborted on SIGINT / SIGTERM. */
  signal: AbortSignal;
}

/** Global options every command accepts. */
export interface GlobalOptions {
  config?: string;
  store?: string;
  nats?: string;
}

/**
 * Lazily opened resources of one command: the compiled config, the store, a NATS connection. Commands ask for
 * what they need; {@link close} releases whatever was opened.
 */
export class CommandContext {
  private configValue: ControllerConfig | undefined;
  private storeValue: RunStore | undefined;
  private natsValue: Promise<NatsConnection> | undefined;

  constructor(
    readonly deps: CliDeps,
    private readonly globals: GlobalOptions,
  ) {}

  get output(): Output {
    return this.deps.output;
  }

  get signal(): AbortSignal {
    return this.deps.signal;
  }

  get config(): ControllerConfig {
    this.configValue ??= loadControllerConfig({
      env: this.deps.env,
      cwd: this.deps.cwd,
      ...(this.globals.config ? { configFile: this.globals.config } : {}),
      overrides: {
        ...(this.globals.store ? { store: this.globals.store } : {}),
        ...(this.globals.nats ? { natsServers: this.globals.nats } : {}),
      },
    });
    return this.configValue;
  }

  get store(): RunStore {
    this.storeValue ??= RunStore.open(this.config.storePath);
    return this.storeValue;
  }

  nats(): Promise<NatsConnection> {
    this.natsValue ??= connectNats(this.config.nats);
    return this.natsValue;
  }

  /** The NATS connection when it can be had, else undefined after a note on stderr. */
  async natsIfAvailable(purpose: string): Promise<NatsConnection | undefined> {
    try {
      return await this.nats();
    } catch (error) {
      this.output.note(`warning: ${(error as Error).message} (${purpose})`);
      return undefined;
    }
  }

  /** Why the NATS connection failed, once {@link nats} was tried and failed; undefined otherwise. */
  async natsFailure(): Promise<NatsUnavailableError | undefined> {
    if (!this.natsValue) return undefined;
    return this.natsValue.then(
      () => undefined,
      (error: unknown) => (error instanceof NatsUnavailableError ? error : undefined),
    );
  }

  async close(): Promise<void> {
    if (this.natsValue) {
      const nc = await this.natsValue.catch(() => undefined);
      await nc?.drain().catch(() => nc.close());
    }
    this.storeValue?.close();
  }
}
