import { resolve } from 'node:path';

/**
 * The NATS section of both configurations (agent `nats.*`, controller `nats.*`): one raw shape with the same key
 * names in both apps, one compile step, one compiled shape. Only the environment prefix differs
 * (`RIGBENCH_AGENT_NATS_…` for the agent, `RIGBENCH_NATS_…` for the controller).
 */

/** The raw `nats` section as convict loads it (strings empty when unset, durations in seconds). */
export interface RawNatsConfig {
  /** A list of URLs, or one comma-separated string (environment, flags). */
  servers: string | readonly string[];
  user: string;
  password: string;
  token: string;
  nkeySeed: string;
  nkeySeedFile: string;
  credsFile: string;
  tls: { ca: string; cert: string; key: string };
  connectTimeoutSeconds: number;
  streamReplicas: number;
}

/** TLS files towards NATS (absolute paths); `null` where unset. */
export interface NatsTlsFiles {
  /** CA certificate (PEM) that signs the server certificate. */
  ca: string | null;
  /** Client certificate (PEM); set together with `key`. */
  cert: string | null;
  /** Client key (PEM). */
  key: string | null;
}

/** The compiled NATS settings both apps use; `null` means "not set". Frozen by the app's compile step. */
export interface NatsConfig {
  /** Server URLs, e.g. `nats://nats-1:4222`; at least one. */
  servers: readonly string[];
  user: string | null;
  password: string | null;
  token: string | null;
  /** NKey user seed (`SU…`) given inline. */
  nkeySeed: string | null;
  /** File holding the NKey user seed (absolute path). */
  nkeySeedFile: string | null;
  /** `.creds` file, JWT + NKey seed (absolute path). */
  credsFile: string | null;
  /** TLS to the server; `null` for plain TCP (a `tls://` URL still upgrades, with the system CAs). */
  tls: NatsTlsFiles | null;
  /** Timeout of one connection attempt, in milliseconds. */
  connectTimeoutMs: number;
  /** Replicas of the event stream when this process has to create it. */
  streamReplicas: number;
}

/** Most replicas a JetStream stream can have. */
export const MAX_STREAM_REPLICAS = 5;

/** A value of the `nats` section is invalid; `key` is the dotted key (`nats.tls.cert`). */
export class NatsConfigError extends TypeError {
  override name = 'NatsConfigError';
  constructor(
    readonly key: string,
    /** What is wrong and what would be valid, without the key. */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`${key}: ${detail}`, options);
  }
}

/** Keys of the `nats` section that were renamed, old dotted key → new dotted key (issue 12). */
export const RENAMED_NATS_KEYS: Readonly<Record<string, string>> = Object.freeze({
  'nats.tlsCa': 'nats.tls.ca',
  'nats.tlsCert': 'nats.tls.cert',
  'nats.tlsKey': 'nats.tls.key',
});

/** One renamed key a config file still uses. */
export interface RenamedKeyUse {
  /** The old dotted key, e.g. `nats.tlsCa`. */
  old: string;
  /** The key to use instead, e.g. `nats.tls.ca`. */
  current: string;
}

/**
 * The renamed keys a parsed config file (`{ nats: { tlsCa: … } }` or flat `{ 'nats.tlsCa': … }`) still uses.
 * Both apps refuse such a file with an error naming the new key: silently ignoring a TLS setting would connect
 * without it.
 */
export function findRenamedNatsKeys(content: unknown): RenamedKeyUse[] {
  if (typeof content !== 'object' || content === null) return [];
  const top = content as Record<string, unknown>;
  const section = top['nats'];
  const uses: RenamedKeyUse[] = [];
  for (const [old, current] of Object.entries(RENAMED_NATS_KEYS)) {
    const leaf = old.slice('nats.'.length);
    const nested = typeof section === 'object' && section !== null && leaf in section;
    if (nested || old in top) uses.push({ old, current });
  }
  return uses;
}

/** A message for {@link findRenamedNatsKeys}' result: `nats.tlsCa was renamed to nats.tls.ca; …`. */
export function renamedKeysMessage(uses: readonly RenamedKeyUse[]): string {
  return (
    uses.map((use) => `${use.old} was renamed to ${use.current}`).join('; ') +
    ' (the environment variables and flags keep their names); rename the key in the config file'
  );
}

/** Splits `servers` (list or comma-separated string) into trimmed, non-empty URLs. */
export function splitNatsServers(servers: string | readonly string[]): string[] {
  const list = typeof servers === 'string' ? servers.split(',') : servers.flatMap((s) => s.split(','));
  return list.map((s) => s.trim()).filter((s) => s !== '');
}

/** A convict leaf: doc, format, default; `env` is added by {@link natsConfigSchema} or the app. */
export interface NatsSchemaLeaf<T> {
  doc: string;
  /** A convict format: `'nat'` or a constructor (`String`, `Number`, `Array`). */
  format: 'nat' | StringConstructor | NumberConstructor | ArrayConstructor;
  default: T;
  sensitive?: boolean;
  env?: string;
}

/** The convict schema of the `nats` section; its shape is {@link RawNatsConfig}'s. */
export interface NatsConfigSchema {
  servers: NatsSchemaLeaf<string[]>;
  user: NatsSchemaLeaf<string>;
  password: NatsSchemaLeaf<string>;
  token: NatsSchemaLeaf<string>;
  nkeySeed: NatsSchemaLeaf<string>;
  nkeySeedFile: NatsSchemaLeaf<string>;
  credsFile: NatsSchemaLeaf<string>;
  tls: { ca: NatsSchemaLeaf<string>; cert: NatsSchemaLeaf<string>; key: NatsSchemaLeaf<string> };
  connectTimeoutSeconds: NatsSchemaLeaf<number>;
  streamReplicas: NatsSchemaLeaf<number>;
}

type SchemaNode = { [key: string]: NatsSchemaLeaf<unknown> | SchemaNode };

const NATS_SCHEMA: NatsConfigSchema = {
  servers: {
    doc: 'NATS server URLs, comma-separated (nats://host:4222; tls://host:4222 for TLS)',
    // convict's Array splits a comma-separated string from the environment, a flag or a config file.
    format: Array,
    default: ['nats://127.0.0.1:4222'],
  },
  user: { doc: 'NATS user name', format: String, default: '' },
  password: { doc: 'NATS password', format: String, default: '', sensitive: true },
  token: { doc: 'NATS token', format: String, default: '', sensitive: true },
  nkeySeed: {
    doc: 'NATS NKey user seed (SU…) given inline; prefer nkeySeedFile',
    format: String,
    default: '',
    sensitive: true,
  },
  nkeySeedFile: {
    doc: 'File holding the NATS NKey user seed (SU…, first line)',
    format: String,
    default: '',
  },
  credsFile: { doc: 'NATS .creds file (JWT + NKey seed)', format: String, default: '' },
  tls: {
    ca: {
      doc: 'CA certificate (PEM file) that signs the NATS server certificate',
      format: String,
      default: '',
    },
    cert: {
      doc: 'Client certificate (PEM file) for NATS TLS; needs nats.tls.key',
      format: String,
      default: '',
    },
    key: { doc: 'Client key (PEM file) for NATS TLS; needs nats.tls.cert', format: String, default: '' },
  },
  connectTimeoutSeconds: {
    doc: 'Timeout of one NATS connection attempt, in seconds',
    format: Number,
    default: 5,
  },
  streamReplicas: {
    doc: `Replicas of the event stream when this process has to create it (1-${MAX_STREAM_REPLICAS}; 3 on a three-node cluster)`,
    format: 'nat',
    default: 1,
  },
};

const screaming = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

function withEnv(node: SchemaNode, envPrefix: string | undefined, path: string[]): SchemaNode {
  const out: SchemaNode = {};
  for (const [key, child] of Object.entries(node)) {
    const childPath = [...path, key];
    out[key] =
      'default' in child
        ? {
            ...(child as NatsSchemaLeaf<unknown>),
            ...(envPrefix === undefined ? {} : { env: envPrefix + childPath.map(screaming).join('_') }),
          }
        : withEnv(child as SchemaNode, envPrefix, childPath);
  }
  return out;
}

/**
 * The convict schema of the `nats` section (a fresh copy). With `envPrefix` every key gets its environment
 * variable, `<envPrefix>NATS_<KEY>` (`RIGBENCH_` → `RIGBENCH_NATS_TLS_CA`); without, the app adds its own.
 */
export function natsConfigSchema(envPrefix?: string): NatsConfigSchema {
  return withEnv(NATS_SCHEMA as unknown as SchemaNode, envPrefix, ['nats']) as unknown as NatsConfigSchema;
}

/** Options of {@link compileNatsConfig}. */
export interface CompileNatsOptions {
  /** Makes a configured file path absolute (default: `path.resolve` against the working directory). */
  resolvePath?: (path: string) => string;
}

const orNull = (value: string): string | null => (value.trim() === '' ? null : value.trim());

/**
 * Validates the raw `nats` section and turns it into a {@link NatsConfig}: servers split, empty strings become
 * `null`, paths absolute, seconds milliseconds. Throws {@link NatsConfigError} naming the key.
 */
export function compileNatsConfig(raw: RawNatsConfig, options: CompileNatsOptions = {}): NatsConfig {
  const resolvePath = options.resolvePath ?? ((path: string) => resolve(path));
  const path = (value: string): string | null => {
    const set = orNull(value);
    return set === null ? null : resolvePath(set);
  };
  const servers = splitNatsServers(raw.servers);
  if (servers.length === 0)
    throw new NatsConfigError('nats.servers', 'at least one NATS server URL is needed');
  for (const server of servers) {
    if (/\s/.test(server)) throw new NatsConfigError('nats.servers', 'a server URL cannot contain spaces');
  }
  const tls =
    orNull(raw.tls.ca) !== null || orNull(raw.tls.cert) !== null || orNull(raw.tls.key) !== null
      ? { ca: path(raw.tls.ca), cert: path(raw.tls.cert), key: path(raw.tls.key) }
      : null;
  if (tls && (tls.cert === null) !== (tls.key === null)) {
    throw new NatsConfigError(
      tls.cert === null ? 'nats.tls.cert' : 'nats.tls.key',
      'a NATS client certificate needs both nats.tls.cert and nats.tls.key',
    );
  }
  if (orNull(raw.nkeySeed) !== null && orNull(raw.nkeySeedFile) !== null) {
    throw new NatsConfigError('nats.nkeySeedFile', 'set nats.nkeySeed or nats.nkeySeedFile, not both');
  }
  if (!Number.isFinite(raw.connectTimeoutSeconds) || raw.connectTimeoutSeconds <= 0) {
    throw new NatsConfigError(
      'nats.connectTimeoutSeconds',
      `must be a positive number of seconds, got ${raw.connectTimeoutSeconds}`,
    );
  }
  if (
    !Number.isInteger(raw.streamReplicas) ||
    raw.streamReplicas < 1 ||
    raw.streamReplicas > MAX_STREAM_REPLICAS
  ) {
    throw new NatsConfigError(
      'nats.streamReplicas',
      `must be a whole number from 1 to ${MAX_STREAM_REPLICAS}, got ${raw.streamReplicas}`,
    );
  }
  return {
    servers,
    user: orNull(raw.user),
    password: raw.password === '' ? null : raw.password,
    token: orNull(raw.token),
    nkeySeed: orNull(raw.nkeySeed),
    nkeySeedFile: path(raw.nkeySeedFile),
    credsFile: path(raw.credsFile),
    tls,
    connectTimeoutMs: raw.connectTimeoutSeconds * 1000,
    streamReplicas: raw.streamReplicas,
  };
}
