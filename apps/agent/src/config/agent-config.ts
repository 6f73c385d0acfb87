import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import { compileNatsConfig, NatsConfigError, type NatsConfig } from '@rigbench/shared';
import type { RawAgentConfig } from './config-schema.js';
import { ConfigValueError, InsecureListenError } from './errors.js';
import type { ThreadPoolMode } from '../engine/threadpool-shim.js';

/** A parsed `host:port`. */
export interface HostPort {
  host: string;
  port: number;
  /** `host:port`, IPv6 hosts in brackets; what gRPC and http bind to. */
  address: string;
}

/** Limits on every plan this agent runs; `null` means "no limit". */
export interface AgentLimits {
  maxTokens: number | null;
  contextSize: number | null;
  repetitions: number | null;
  /** Most cases one plan may expand to; checked from the axis lengths before expansion. */
  maxCases: number;
  /** Largest `matrix.threads` value (this node's logical cores unless configured higher or lower). */
  maxThreads: number;
  /** Wall-clock limit of one run, in milliseconds. */
  runMs: number | null;
  /** Wall-clock limit of one case, in milliseconds. */
  caseTimeoutMs: number | null;
}

/** gRPC server TLS; mTLS when `caFile` is set and `requireClientCert` is true. */
export interface AgentTlsConfig {
  certFile: string;
  keyFile: string;
  caFile: string | null;
  requireClientCert: boolean;
}

/** The agent's configuration, validated, with units converted; frozen. */
export interface AgentConfig {
  id: string;
  labels: Readonly<Record<string, string>>;
  listen: HostPort;
  /** Address announced in heartbeats; when the listen port is 0 the real port replaces it at start-up. */
  advertise: HostPort;
  /** Absolute path. */
  modelsDir: string;
  insecure: boolean;
  logLevel: string;
  /** NATS connection and stream settings, the same shape as the controller's; file paths are absolute. */
  nats: NatsConfig;
  /** `null` when the metrics endpoint is disabled. */
  metrics: HostPort | null;
  /** Bearer token clients must send; `null` when none is configured. */
  authToken: string | null;
  tls: AgentTlsConfig | null;
  outbox: { dir: string; maxBytes: number };
  heartbeatIntervalMs: number;
  limits: AgentLimits;
  /** What `hf:` model downloads are allowed. */
  downloads: { enabled: boolean; allowRepos: readonly string[]; maxBytes: number; minFreeBytes: number };
  concurrentRuns: number;
  keepFinishedRuns: number;
  /** Directory of the run journal (active runs, closed as `interrupted` after a crash); absolute. */
  runJournalDir: string;
  /** Environment the agent sets for its inference workers (recorded in every fingerprint). */
  worker: { uvThreadpoolSize: number; threadPool: ThreadPoolMode; nativeDir: string };
  /** Tuned meaning of `threads: auto` (`rigbench tune`); null where the built-in rule applies. */
  tunedThreads: { decode: number | null; prompt: number | null };
  /** Power sampling per case; null when off (see apps/agent/src/energy). */
  energy: { idleBaselineMs: number; intervalMs: number } | null;
  grpc: { maxMessageBytes: number; keepaliveTimeMs: number; keepaliveTimeoutMs: number };
  shutdown: { graceMs: number; currentCase: 'finish' | 'cancel' };
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/**
 * Shortest bearer token accepted on a non-loopback listen address: 32 characters (128 bits as hex), what
 * `openssl rand -hex 16` prints; install.sh generates 64.
 */
export const MIN_TOKEN_LENGTH = 32;
const LABEL_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/;

/** Parses `host:port` or `[v6]:port`. */
export function parseHostPort(key: string, value: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new ConfigValueError(
      key,
      `'${value}' is not host:port (e.g. 127.0.0.1:50051, [::1]:50051, 0.0.0.0:0)`,
    );
  }
  const host = match[1] ?? match[2] ?? '';
  if (host === '') throw new ConfigValueError(key, `'${value}' has no host (e.g. 127.0.0.1:${port})`);
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, address };
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Parses labels given as a JSON object of strings, as `k=v,k=v`, or already as a mapping (config file). */
export function parseLabels(value: string | Readonly<Record<string, string>>): Record<string, string> {
  const labels: Record<string, string> = {};
  const text = typeof value === 'string' ? value.trim() : '';
  if (typeof value !== 'string') {
    Object.assign(labels, value);
  } else if (text === '') {
    return labels;
  } else if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ConfigValueError('labels', `invalid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigValueError('labels', 'expected a JSON object of strings');
    }
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== 'string')
        throw new ConfigValueError('labels', `label '${k}' must be a string, got ${typeof v}`);
      labels[k] = v;
    }
  } else {
    for (const pair of text.split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new ConfigValueError('labels', `'${pair}' is not k=v (e.g. gpu=3090,room=attic)`);
      labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
  }
  for (const key of Object.keys(labels)) {
    if (!LABEL_KEY.test(key)) {
      throw new ConfigValueError('labels', `label key '${key}' must match ${LABEL_KEY.source}`);
    }
  }
  return labels;
}

const absOrNull = (value: string): string | null => (value.trim() === '' ? null : resolve(value));
const limit = (value: number): number | null => (value === 0 ? null : value);

function readToken(raw: RawAgentConfig['auth'], readFile: (path: string) => string): string | null {
  if (raw.token !== '') return raw.token;
  if (raw.tokenFile === '') return null;
  let text: string;
  try {
    text = readFile(raw.tokenFile);
  } catch (error) {
    throw new ConfigValueError(
      'auth.tokenFile',
      `cannot read ${raw.tokenFile}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const token = (text.split(/\r?\n/)[0] ?? '').trim();
  if (token === '')
    throw new ConfigValueError('auth.tokenFile', `${raw.tokenFile} is empty; put the token on line 1`);
  return token;
}

function compileTls(raw: RawAgentConfig['tls']): AgentTlsConfig | null {
  const any = raw.cert !== '' || raw.key !== '' || raw.ca !== '' || raw.requireClientCert;
  if (!any) return null;
  if (raw.cert === '' || raw.key === '') {
    throw new ConfigValueError(
      raw.cert === '' ? 'tls.cert' : 'tls.key',
      'TLS needs both tls.cert and tls.key',
    );
  }
  if (raw.requireClientCert && raw.ca === '') {
    throw new ConfigValueError(
      'tls.ca',
      'tls.requireClientCert needs tls.ca, the CA that signs client certificates',
    );
  }
  return {
    certFile: resolve(raw.cert),
    keyFile: resolve(raw.key),
    caFile: absOrNull(raw.ca),
    requireClientCert: raw.requireClientCert,
  };
}

/** Options of {@link compileAgentConfig}. */
export interface CompileOptions {
  /** Reads `auth.tokenFile`; injectable for tests. */
  readFile?: (path: string) => string;
  /** Logical CPU cores of this node, the default of `limits.threads`; injectable for tests. */
  logicalCores?: number;
}

/**
 * Turns the raw convict layer into the typed, frozen {@link AgentConfig}: parses addresses and labels, converts
 * seconds to milliseconds, resolves paths, reads the token file, and refuses a non-loopback listen address that
 * has neither a token nor mTLS (unless `insecure`).
 */
export function compileAgentConfig(raw: RawAgentConfig, options: CompileOptions = {}): AgentConfig {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  if (!ID_PATTERN.test(raw.id)) {
    throw new ConfigValueError(
      'id',
      `'${raw.id}' must be 1-64 letters, digits, '-' or '_' (it is a NATS subject token)`,
    );
  }
  const listen = parseHostPort('listen', raw.listen);
  const authToken = readToken(raw.auth, readFile);
  const tls = compileTls(raw.tls);
  const mtls = tls !== null && tls.caFile !== null && tls.requireClientCert;
  if (!isLoopbackHost(listen.host) && authToken === null && !mtls && !raw.insecure) {
    throw new InsecureListenError(listen.address);
  }
  if (
    !isLoopbackHost(listen.host) &&
    authToken !== null &&
    authToken.length < MIN_TOKEN_LENGTH &&
    !raw.insecure
  ) {
    throw new ConfigValueError(
      raw.auth.token === '' ? 'auth.tokenFile' : 'auth.token',
      `the token has ${authToken.length} characters; on a non-loopback address (${listen.address}) it needs at ` +
        `least ${MIN_TOKEN_LENGTH} (generate one with: openssl rand -hex 32), or pass --insecure`,
    );
  }
  const wildcard = listen.host === '0.0.0.0' || listen.host === '::';
  const advertise =
    raw.advertise !== ''
      ? parseHostPort('advertise', raw.advertise)
      : wildcard
        ? parseHostPort('advertise', `${hostname()}:${listen.port}`)
        : listen;
  let nats: NatsConfig;
  try {
    nats = compileNatsConfig(raw.nats);
  } catch (error) {
    if (error instanceof NatsConfigError)
      throw new ConfigValueError(error.key, error.detail, { cause: error });
    throw error;
  }
  if (raw.runs.concurrent < 1) throw new ConfigValueError('runs.concurrent', 'must be at least 1');
  if (raw.heartbeat.intervalSeconds < 1)
    throw new ConfigValueError('heartbeat.intervalSeconds', 'must be at least 1');
  if (raw.worker.uvThreadpoolSize < 1 || raw.worker.uvThreadpoolSize > 1024)
    throw new ConfigValueError('worker.uvThreadpoolSize', "must be between 1 and 1024 (libuv's own limit)");
  for (const repo of raw.downloads.allowRepos) {
    if (repo.trim() !== '' && !/^[A-Za-z0-9][\w.-]*\/([A-Za-z0-9][\w.-]*|\*)$/.test(repo.trim())) {
      throw new ConfigValueError('downloads.allowRepos', `'${repo}' is not user/repo or user/*`);
    }
  }
  if (raw.limits.maxCases < 1 || raw.limits.maxCases > 1_000_000)
    throw new ConfigValueError('limits.maxCases', 'must be between 1 and 1000000');
  if (raw.limits.threads > 1024)
    throw new ConfigValueError(
      'limits.threads',
      'must be at most 1024 (the plan format limit); 0: logical cores',
    );
  if (raw.energy.intervalMs < 20 || raw.energy.intervalMs > 10_000)
    throw new ConfigValueError('energy.intervalMs', 'must be between 20 and 10000 milliseconds');
  if (raw.grpc.maxMessageBytes < 1024)
    throw new ConfigValueError('grpc.maxMessageBytes', 'must be at least 1024');
  const config: AgentConfig = {
    id: raw.id,
    labels: Object.freeze(parseLabels(raw.labels)),
    listen,
    advertise,
    modelsDir: resolve(raw.modelsDir),
    insecure: raw.insecure,
    logLevel: raw.log.level,
    nats,
    metrics: raw.metrics.listen === '' ? null : parseHostPort('metrics.listen', raw.metrics.listen),
    authToken,
    tls,
    outbox: { dir: resolve(raw.outbox.dir), maxBytes: raw.outbox.maxBytes },
    heartbeatIntervalMs: raw.heartbeat.intervalSeconds * 1000,
    limits: {
      maxTokens: limit(raw.limits.maxTokens),
      contextSize: limit(raw.limits.contextSize),
      repetitions: limit(raw.limits.repetitions),
      maxCases: raw.limits.maxCases,
      maxThreads:
        raw.limits.threads === 0 ? (options.logicalCores ?? availableParallelism()) : raw.limits.threads,
      runMs: raw.limits.runSeconds === 0 ? null : raw.limits.runSeconds * 1000,
      caseTimeoutMs: raw.limits.caseTimeoutSeconds === 0 ? null : raw.limits.caseTimeoutSeconds * 1000,
    },
    downloads: {
      enabled: raw.downloads.enabled,
      allowRepos: Object.freeze(raw.downloads.allowRepos.map((repo) => repo.trim()).filter((r) => r !== '')),
      maxBytes: raw.downloads.maxBytes,
      minFreeBytes: raw.downloads.minFreeBytes,
    },
    concurrentRuns: raw.runs.concurrent,
    keepFinishedRuns: raw.runs.keepFinished,
    // Beside the outbox, not in it: the outbox directory holds the outbox's files only (its disk bound).
    runJournalDir:
      raw.runs.journalDir === '' ? `${resolve(raw.outbox.dir)}-runs` : resolve(raw.runs.journalDir),
    worker: {
      uvThreadpoolSize: raw.worker.uvThreadpoolSize,
      threadPool: raw.worker.threadPool as ThreadPoolMode,
      nativeDir: resolve(raw.worker.nativeDir),
    },
    tunedThreads: {
      decode: raw.threads.autoDecode === 0 ? null : raw.threads.autoDecode,
      prompt: raw.threads.autoPrompt === 0 ? null : raw.threads.autoPrompt,
    },
    energy: raw.energy.enabled
      ? { idleBaselineMs: raw.energy.idleBaselineMs, intervalMs: raw.energy.intervalMs }
      : null,
    grpc: {
      maxMessageBytes: raw.grpc.maxMessageBytes,
      keepaliveTimeMs: raw.grpc.keepaliveTimeSeconds * 1000,
      keepaliveTimeoutMs: raw.grpc.keepaliveTimeoutSeconds * 1000,
    },
    shutdown: {
      graceMs: raw.shutdown.graceSeconds * 1000,
      currentCase: raw.shutdown.currentCase === 'finish' ? 'finish' : 'cancel',
    },
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
