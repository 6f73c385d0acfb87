import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import convict from 'convict';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  compileNatsConfig,
  findRenamedNatsKeys,
  NatsConfigError,
  renamedKeysMessage,
  splitNatsServers,
  type NatsConfig,
} from '@rigbench/shared';
import { configSchema } from './config-schema.js';

/** TLS files (PEM paths); empty strings in the raw config become absent. */
export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** An agent the controller knows without heartbeats. */
export interface StaticAgent {
  id: string;
  /** `host:port` of the agent's gRPC API. */
  address: string;
  token?: string;
  labels: Readonly<Record<string, string>>;
  tls?: TlsFiles;
}

/** The compiled controller configuration: typed, defaults filled, units converted, frozen. */
export interface ControllerConfig {
  /** NATS connection and stream settings, the same shape as the agent's (`NatsConfig` in @rigbench/shared). */
  nats: NatsConfig;
  agents: readonly StaticAgent[];
  /** Default bearer token for agents without their own. */
  agentToken?: string;
  /** Per-agent bearer tokens read from `agentTokensDir` (`<id>.token`), by agent id. */
  agentTokens: Readonly<Record<string, string>>;
  /** Default TLS files for agents without their own. */
  agentTls?: TlsFiles;
  grpc: { deadlineMs: number; keepaliveMs: number };
  /** Absolute path of the SQLite store. */
  storePath: string;
  fleet: {
    staleAfterIntervals: number;
    lostAfterIntervals: number;
    listenMs: number;
    /** Send tokens to heartbeat-only agents (see the config key's doc); false by default. */
    trustHeartbeatAddresses: boolean;
  };
  collector: {
    durableName: string;
    batchSize: number;
    maxAckPending: number;
    ackWaitMs: number;
    writer: 'auto' | 'worker' | 'inline';
    /** Where `collect` serves /metrics; null when off. */
    metricsListen: { host: string; port: number } | null;
  };
  defaults: { format: 'md' | 'csv' | 'json' | 'html' };
}

/** A configuration value is invalid; the message names the key, the source and what would be valid. */
export class ControllerConfigError extends TypeError {
  override name = 'ControllerConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Where configuration comes from, besides the defaults. Only the CLI entry point reads `process.env`. */
export interface ConfigSources {
  env: Readonly<Record<string, string | undefined>>;
  /** A JSON or YAML file (`--config`). */
  configFile?: string;
  /** Command-line overrides (`--store`, `--nats`), applied last. */
  overrides?: { store?: string; natsServers?: string };
  /** Directory a relative store path is resolved against (default: the process's working directory). */
  cwd?: string;
}

const token = /^[A-Za-z0-9_-]+$/;
const tlsSchema = z.strictObject({
  ca: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
});
const staticAgentSchema = z.strictObject({
  id: z.string().regex(token, 'letters, digits, "-" and "_" only'),
  address: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port, e.g. 10.0.0.5:50051'),
  token: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).default({}),
  tls: tlsSchema.optional(),
});

const nonEmpty = (s: string): string | undefined => (s.trim() === '' ? undefined : s.trim());

function tlsFiles(raw: { ca: string; cert: string; key: string }): TlsFiles | undefined {
  const files: TlsFiles = {};
  if (nonEmpty(raw.ca)) files.ca = raw.ca;
  if (nonEmpty(raw.cert)) files.cert = raw.cert;
  if (nonEmpty(raw.key)) files.key = raw.key;
  return Object.keys(files).length > 0 ? files : undefined;
}

/** `$XDG_DATA_HOME/rigbench/rigbench.db`, else `~/.local/share/rigbench/rigbench.db`. */
export function defaultStorePath(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env.XDG_DATA_HOME;
  const dataHome = xdg && isAbsolute(xdg) ? xdg : join(env.HOME ?? homedir(), '.local', 'share');
  return join(dataHome, 'rigbench', 'rigbench.db');
}

/**
 * The default durable consumer of a store: processes writing one store share the consumer (each event reaches
 * one of them, and the store de-duplicates), while two stores never split the events between them.
 */
export function defaultDurableName(storePath: string): string {
  return `rigbench-${createHash('sha256').update(storePath).digest('hex').slice(0, 12)}`;
}

type RawConfig = ReturnType<typeof loadRaw>;

function loadRaw(sources: ConfigSources) {
  convict.addParser({ extension: ['yml', 'yaml'], parse: parseYaml });
  convict.addParser({ extension: 'json', parse: JSON.parse });
  // Agents in the environment are JSON; convict's Array format would split on commas.
  const env = { ...sources.env };
  const agentsJson = env.RIGBENCH_AGENTS;
  delete env.RIGBENCH_AGENTS;
  const config = convict(configSchema, { env, args: [] });
  if (sources.configFile) {
    let content: unknown;
    try {
      content = parseYaml(readFileSync(sources.configFile, 'utf8')) as unknown;
    } catch (error) {
      throw new ControllerConfigError(`config file ${sources.configFile}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const renamed = findRenamedNatsKeys(content);
    if (renamed.length > 0) {
      throw new ControllerConfigError(`config file ${sources.configFile}: ${renamedKeysMessage(renamed)}`);
    }
    try {
      config.loadFile(sources.configFile);
    } catch (error) {
      throw new ControllerConfigError(`config file ${sources.configFile}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  if (agentsJson !== undefined && agentsJson.trim() !== '') {
    try {
      config.set('agents', JSON.parse(agentsJson) as unknown[]);
    } catch (error) {
      throw new ControllerConfigError(
        `RIGBENCH_AGENTS must be a JSON array of {id, address, token?, labels?, tls?}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  if (sources.overrides?.store) config.set('store', sources.overrides.store);
  if (sources.overrides?.natsServers)
    config.set('nats.servers', splitNatsServers(sources.overrides.natsServers));
  try {
    config.validate({ allowed: 'strict' });
  } catch (error) {
    throw new ControllerConfigError(`invalid configuration: ${(error as Error).message}`, { cause: error });
  }
  return config.getProperties();
}

function positive(value: number, key: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ControllerConfigError(`${key} must be a positive number, got ${value}`);
  }
  return value;
}

/** Fills defaults, validates and converts the raw convict values into a frozen {@link ControllerConfig}. */
export function compileControllerConfig(
  raw: RawConfig,
  env: ConfigSources['env'] = {},
  baseDir = process.cwd(),
): ControllerConfig {
  const agents = z.array(staticAgentSchema).safeParse(raw.agents);
  if (!agents.success) {
    const issue = agents.error.issues[0];
    throw new ControllerConfigError(
      `agents${issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? ''}: ` +
        `${issue?.message ?? 'invalid'}`,
    );
  }
  const ids = new Set<string>();
  for (const agent of agents.data) {
    if (ids.has(agent.id)) throw new ControllerConfigError(`agents: id '${agent.id}' appears twice`);
    ids.add(agent.id);
  }
  let nats: NatsConfig;
  try {
    nats = compileNatsConfig(raw.nats, { resolvePath: (path) => resolve(baseDir, path) });
  } catch (error) {
    if (error instanceof NatsConfigError) throw new ControllerConfigError(error.message, { cause: error });
    throw error;
  }
  const stale = positive(raw.fleet.staleAfterIntervals, 'fleet.staleAfterIntervals');
  const lost = positive(raw.fleet.lostAfterIntervals, 'fleet.lostAfterIntervals');
  if (lost <= stale) {
    throw new ControllerConfigError(
      `fleet.lostAfterIntervals (${lost}) must be greater than fleet.staleAfterIntervals (${stale})`,
    );
  }
  const storePath = nonEmpty(raw.store) ? resolve(baseDir, raw.store) : defaultStorePath(env);
  const config: ControllerConfig = {
    nats: Object.freeze({ ...nats, tls: nats.tls && Object.freeze({ ...nats.tls }) }),
    agents: agents.data.map((a) => Object.freeze({ ...a, labels: Object.freeze({ ...a.labels }) })),
    ...(nonEmpty(raw.agentToken) ? { agentToken: raw.agentToken } : {}),
    agentTokens: Object.freeze(readAgentTokens(raw.agentTokensDir, baseDir)),
    ...(tlsFiles(raw.agentTls) ? { agentTls: tlsFiles(raw.agentTls) } : {}),
    grpc: {
      deadlineMs: positive(raw.grpc.deadlineSeconds, 'grpc.deadlineSeconds') * 1000,
      keepaliveMs: positive(raw.grpc.keepaliveMinutes, 'grpc.keepaliveMinutes') * 60_000,
    },
    storePath,
    fleet: {
      staleAfterIntervals: stale,
      lostAfterIntervals: lost,
      listenMs: positive(raw.fleet.listenSeconds, 'fleet.listenSeconds') * 1000,
      trustHeartbeatAddresses: raw.fleet.trustHeartbeatAddresses,
    },
    collector: {
      durableName: nonEmpty(raw.collector.durableName) ?? defaultDurableName(storePath),
      batchSize: positive(raw.collector.batchSize, 'collector.batchSize'),
      maxAckPending: positive(raw.collector.maxAckPending, 'collector.maxAckPending'),
      ackWaitMs: positive(raw.collector.ackWaitSeconds, 'collector.ackWaitSeconds') * 1000,
      writer: raw.collector.writer as ControllerConfig['collector']['writer'],
      metricsListen: parseMetricsListen(raw.collector.metricsListen),
    },
    defaults: { format: raw.defaults.format as ControllerConfig['defaults']['format'] },
  };
  if (!token.test(config.collector.durableName)) {
    throw new ControllerConfigError(
      `collector.durableName '${config.collector.durableName}' must use letters, digits, "-" and "_" only`,
    );
  }
  return Object.freeze(config);
}

const TOKEN_FILE = /^([A-Za-z0-9_-]+)\.token$/;

/** `<id>.token` files of `dir` (first line each), by agent id; `{}` when `dir` is empty. */
function readAgentTokens(dir: string, baseDir: string): Record<string, string> {
  if (!nonEmpty(dir)) return {};
  const path = resolve(baseDir, dir);
  let names: string[];
  try {
    names = readdirSync(path);
  } catch (error) {
    throw new ControllerConfigError(`agentTokensDir: cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const tokens: Record<string, string> = {};
  for (const name of names.sort()) {
    const id = TOKEN_FILE.exec(name)?.[1];
    if (id === undefined) continue;
    const value = (readFileSync(join(path, name), 'utf8').split(/\r?\n/)[0] ?? '').trim();
    if (value === '')
      throw new ControllerConfigError(
        `agentTokensDir: ${join(path, name)} is empty; put the token on line 1`,
      );
    tokens[id] = value;
  }
  return tokens;
}

/** Loads defaults, the config file, the environment and overrides, and compiles them. */
export function loadControllerConfig(sources: ConfigSources): ControllerConfig {
  return compileControllerConfig(loadRaw(sources), sources.env, sources.cwd ?? process.cwd());
}

/** `collector.metricsListen`: `off`, or HOST:PORT (IPv6 in brackets), port 0-65535. */
function parseMetricsListen(value: string): { host: string; port: number } | null {
  const text = value.trim();
  if (text === '' || text === 'off') return null;
  const match = /^(\[[0-9a-fA-F:]+\]|[^\s:]+):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) {
    throw new ControllerConfigError(
      `collector.metricsListen (RIGBENCH_COLLECTOR_METRICS_LISTEN) '${value}' must be HOST:PORT, e.g. ` +
        "127.0.0.1:9465 or 0.0.0.0:9465, or 'off'",
    );
  }
  return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port };
}
