import { hostname, homedir } from 'node:os';
import { join } from 'node:path';
import type convict from 'convict';
import { natsConfigSchema, type RawNatsConfig } from '@rigbench/shared';

/**
 * The raw configuration layer: every key the agent reads, with its doc, format, default, environment variable
 * (`RIGBENCH_AGENT_<PATH>`) and command-line flag (`--<path>`). `compileAgentConfig` turns the values into the
 * typed object the rest of the agent uses. Durations are whole seconds here; sizes are bytes.
 */
export interface RawAgentConfig {
  id: string;
  /** `k=v,k=v` or JSON; a mapping in a config file arrives here as JSON. */
  labels: string;
  listen: string;
  advertise: string;
  modelsDir: string;
  insecure: boolean;
  log: { level: string };
  /** The same keys as the controller's `nats.*` (one schema in @rigbench/shared). */
  nats: RawNatsConfig;
  metrics: { listen: string };
  auth: { token: string; tokenFile: string };
  tls: { cert: string; key: string; ca: string; requireClientCert: boolean };
  outbox: { dir: string; maxBytes: number };
  heartbeat: { intervalSeconds: number };
  downloads: { enabled: boolean; allowRepos: string[]; maxBytes: number; minFreeBytes: number };
  limits: {
    maxTokens: number;
    contextSize: number;
    repetitions: number;
    maxCases: number;
    threads: number;
    runSeconds: number;
    caseTimeoutSeconds: number;
  };
  runs: { concurrent: number; journalDir: string; keepFinished: number };
  worker: { uvThreadpoolSize: number; threadPool: string; nativeDir: string };
  threads: { autoDecode: number; autoPrompt: number };
  energy: { enabled: boolean; idleBaselineMs: number; intervalMs: number };
  grpc: { maxMessageBytes: number; keepaliveTimeSeconds: number; keepaliveTimeoutSeconds: number };
  shutdown: { graceSeconds: number; currentCase: string };
}

/** Prefix of every environment variable the agent reads. */
export const ENV_PREFIX = 'RIGBENCH_AGENT_';

const rigbenchHome = join(homedir(), '.rigbench');

/** The host name made safe as a NATS subject token (dots and other characters become `-`). */
export function defaultAgentId(): string {
  return hostname().replace(/[^A-Za-z0-9_-]/g, '-') || 'agent';
}

type Leaf = convict.SchemaObj & { env?: string; arg?: string };

/** The schema without env/arg names; {@link agentConfigSchema} derives them from each key's path. */
const schemaWithoutNames = {
  id: {
    doc: 'Agent id, unique in the fleet (letters, digits, `-`, `_`)',
    format: String,
    default: defaultAgentId(),
  },
  labels: {
    doc: 'Labels for plan targeting, as JSON (`{"gpu":"3090"}`) or `k=v,k=v` (a mapping in a config file)',
    format: String,
    default: '',
  },
  listen: {
    doc: 'gRPC listen address, host:port (port 0 picks a free one)',
    format: String,
    default: '127.0.0.1:50051',
  },
  advertise: {
    doc: 'gRPC address announced in heartbeats, host:port; empty: the listen address (hostname when it is 0.0.0.0)',
    format: String,
    default: '',
  },
  modelsDir: {
    doc: 'Directory holding GGUF files; plan model sources resolve only inside it',
    format: String,
    default: join(rigbenchHome, 'models'),
  },
  insecure: {
    doc: 'Allow a non-loopback listen address without an auth token or mTLS',
    format: Boolean,
    default: false,
  },
  log: {
    level: {
      doc: 'Log level',
      format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
    },
  },
  nats: natsConfigSchema(),
  metrics: {
    listen: {
      doc: 'Prometheus /metrics listen address, host:port; empty disables the endpoint',
      format: String,
      default: '127.0.0.1:9464',
    },
  },
  auth: {
    token: {
      doc: 'Bearer token gRPC clients must send (`authorization: Bearer <token>`), at least 32 characters on a non-loopback listen address; empty: no token',
      format: String,
      default: '',
      sensitive: true,
    },
    tokenFile: {
      doc: 'File holding the bearer token (first line); used when token is empty',
      format: String,
      default: '',
    },
  },
  tls: {
    cert: {
      doc: 'gRPC server certificate file (PEM); enables TLS with tls.key',
      format: String,
      default: '',
    },
    key: { doc: 'gRPC server private key file (PEM)', format: String, default: '' },
    ca: {
      doc: 'CA certificate file (PEM) that signs client certificates (mTLS)',
      format: String,
      default: '',
    },
    requireClientCert: {
      doc: 'Require a client certificate signed by tls.ca (mTLS)',
      format: Boolean,
      default: false,
    },
  },
  outbox: {
    dir: {
      doc: 'Directory of the durable event outbox (events wait here until JetStream acknowledges them)',
      format: String,
      default: join(rigbenchHome, 'outbox'),
    },
    maxBytes: {
      doc: 'Upper bound of the outbox on disk, in bytes',
      format: 'nat',
      default: 1024 * 1024 * 1024,
    },
  },
  heartbeat: {
    intervalSeconds: { doc: 'Seconds between heartbeats on NATS', format: 'nat', default: 5 },
  },
  downloads: {
    enabled: {
      doc:
        'Let plans name hf: model sources, downloaded into the models directory; off by default: a plan then ' +
        'names files already there',
      format: Boolean,
      default: false,
    },
    allowRepos: {
      doc: 'Hugging Face repositories hf: sources may come from, comma-separated: user/repo or user/*',
      format: Array,
      default: [] as string[],
    },
    maxBytes: {
      doc: 'Largest model download, in bytes (every file of a split model together)',
      format: 'nat',
      default: 64 * 1024 ** 3,
    },
    minFreeBytes: {
      doc: 'Free bytes a download must leave on the models directory file system',
      format: 'nat',
      default: 10 * 1024 ** 3,
    },
  },
  limits: {
    maxTokens: {
      doc: 'Largest generation.maxTokens a plan may ask for; 0: no limit',
      format: 'nat',
      default: 8192,
    },
    contextSize: {
      doc: 'Largest matrix.contextSize a plan may ask for; 0: no limit',
      format: 'nat',
      default: 131072,
    },
    repetitions: { doc: 'Largest repetitions a plan may ask for; 0: no limit', format: 'nat', default: 100 },
    maxCases: {
      doc:
        'Most cases one plan may expand to (1-1000000); counted from the matrix axes before any case is built, ' +
        'so a plan of millions of cases is refused instead of filling memory',
      format: 'nat',
      default: 10_000,
    },
    threads: {
      doc:
        "Largest matrix.threads value a plan may ask for; 0: this node's logical cores. Raise it only to " +
        'oversubscribe on purpose',
      format: 'nat',
      default: 0,
    },
    runSeconds: {
      doc: 'Wall-clock limit of one run, in seconds; 0: no limit',
      format: 'nat',
      default: 86400,
    },
    caseTimeoutSeconds: {
      doc: 'Wall-clock limit of one case, in seconds; 0: no limit',
      format: 'nat',
      default: 3600,
    },
  },
  runs: {
    concurrent: { doc: 'Runs this agent accepts at the same time', format: 'nat', default: 1 },
    journalDir: {
      doc:
        'Directory where active runs are remembered across a crash (closed as interrupted on restart); empty: ' +
        '<outbox.dir>-runs',
      format: String,
      default: '',
    },
    keepFinished: {
      doc: 'Finished runs whose events stay in memory for WatchRun',
      format: 'nat',
      default: 16,
    },
  },
  worker: {
    uvThreadpoolSize: {
      doc:
        "UV_THREADPOOL_SIZE of each inference worker (1-1024). 1 by default: with libuv's 4 threads taking turns " +
        "at decoding, ggml's per-token helper thread queues on a busy CPU and 2-thread decode loses 2-3x (docs/measurement.md)",
      format: 'nat',
      default: 1,
    },
    threadPool: {
      doc:
        'Thread pool of each llama.cpp context: attached (a persistent ggml pool per context, as llama-bench runs; ' +
        'built once from native/ggml-threadpool-shim.c with the node C compiler and preloaded into workers), ' +
        "per-graph (ggml's threads created for every graph, node-llama-cpp's own way), or auto (attached where " +
        'the shim builds, else per-graph with the reason). Recorded in every fingerprint',
      format: ['auto', 'attached', 'per-graph'],
      default: 'auto',
    },
    nativeDir: {
      doc: 'Directory of the built thread-pool shim (one small library per llama.cpp release)',
      format: String,
      default: join(rigbenchHome, 'native'),
    },
  },
  threads: {
    autoDecode: {
      doc: "What a plan's threads 'auto' means for chat cases and decode tests on this node; 0: all physical cores (llama.cpp's default). `rigbench tune --defaults-out` writes the measured best",
      format: 'nat',
      default: 0,
    },
    autoPrompt: {
      doc: "What threads 'auto' means for prompt-only raw tests (llama-bench pp) on this node; 0: the same rule. Written by `rigbench tune`",
      format: 'nat',
      default: 0,
    },
  },
  energy: {
    enabled: {
      doc:
        'Measure power while cases run (nvidia-smi for the GPUs, Linux powercap/RAPL for the CPU packages); ' +
        'a source that cannot be read is named in the fingerprint with the reason',
      format: Boolean,
      default: true,
    },
    idleBaselineMs: {
      doc: 'Idle window before each case for the power baseline, in milliseconds (0: no baseline)',
      format: 'nat',
      default: 1000,
    },
    intervalMs: {
      doc: 'Power sampling interval, in milliseconds (20-10000)',
      format: 'nat',
      default: 100,
    },
  },
  grpc: {
    maxMessageBytes: {
      doc: 'Largest gRPC message received or sent, in bytes',
      format: 'nat',
      default: 4 * 1024 * 1024,
    },
    keepaliveTimeSeconds: {
      doc: 'Seconds between gRPC keepalive pings to idle clients (minutes, not seconds: homelab links)',
      format: 'nat',
      default: 120,
    },
    keepaliveTimeoutSeconds: {
      doc: 'Seconds to wait for a keepalive ping acknowledgement',
      format: 'nat',
      default: 20,
    },
  },
  shutdown: {
    graceSeconds: {
      doc: 'Seconds a shutdown waits for the current case, the outbox flush and gRPC calls before forcing',
      format: 'nat',
      default: 30,
    },
    currentCase: {
      doc: 'What a shutdown does with the running case: `finish` it or `cancel` it',
      format: ['finish', 'cancel'],
      default: 'cancel',
    },
  },
};

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const screaming = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

function isLeaf(node: object): node is Leaf {
  return 'default' in node;
}

function addNames(node: Record<string, object>, path: string[]): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [key, child] of Object.entries(node)) {
    const childPath = [...path, key];
    out[key] = isLeaf(child)
      ? {
          ...child,
          env: ENV_PREFIX + childPath.map(screaming).join('_'),
          arg: childPath.map(kebab).join('-'),
        }
      : addNames(child as Record<string, object>, childPath);
  }
  return out;
}

/** The convict schema: every key documented, with `RIGBENCH_AGENT_…` environment variable and `--flag`. */
export const agentConfigSchema = addNames(
  schemaWithoutNames,
  [],
) as unknown as convict.Schema<RawAgentConfig>;

/** One documented key, flattened, for `--help`. */
export interface ConfigKeyDoc {
  /** Dotted path, e.g. `nats.servers`. */
  key: string;
  doc: string;
  env: string;
  arg: string;
  default: unknown;
  sensitive: boolean;
}

/** Every key of the schema in declaration order. */
export function describeConfigKeys(): ConfigKeyDoc[] {
  const keys: ConfigKeyDoc[] = [];
  const walk = (node: Record<string, object>, path: string[]): void => {
    for (const [key, child] of Object.entries(node)) {
      if (isLeaf(child)) {
        keys.push({
          key: [...path, key].join('.'),
          doc: child.doc ?? '',
          env: child.env ?? '',
          arg: child.arg ?? '',
          default: child.default,
          sensitive: child.sensitive === true,
        });
      } else {
        walk(child as Record<string, object>, [...path, key]);
      }
    }
  };
  walk(agentConfigSchema as unknown as Record<string, object>, []);
  return keys;
}
