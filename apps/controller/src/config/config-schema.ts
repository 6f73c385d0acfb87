import { natsConfigSchema } from '@rigbench/shared';

/**
 * The raw controller configuration: every key with its doc, format, default and `RIGBENCH_…` environment
 * variable. `compileControllerConfig` turns the loaded values into the typed, frozen object the code uses.
 */
export const configSchema = {
  /** The same keys as the agent's `nats.*` (one schema in @rigbench/shared), as `RIGBENCH_NATS_<KEY>`. */
  nats: natsConfigSchema('RIGBENCH_'),
  agents: {
    doc:
      'Static agents: [{"id":"rig-a","address":"10.0.0.5:50051","token":"…","labels":{},' +
      '"tls":{"ca":"ca.pem","cert":"c.pem","key":"k.pem"}}] (JSON in the environment)',
    format: Array,
    default: [] as unknown[],
    env: 'RIGBENCH_AGENTS',
  },
  agentToken: {
    doc: 'Bearer token sent to agents that have no token of their own',
    format: String,
    default: '',
    env: 'RIGBENCH_AGENT_TOKEN',
    sensitive: true,
  },
  agentTokensDir: {
    doc:
      'Directory of per-agent bearer tokens, one file <agent id>.token each (first line); used for agents without ' +
      'agents[].token, before agentToken',
    format: String,
    default: '',
    env: 'RIGBENCH_AGENT_TOKENS_DIR',
  },
  agentTls: {
    ca: {
      doc: 'CA certificate (PEM file) for agents without their own TLS settings',
      format: String,
      default: '',
      env: 'RIGBENCH_AGENT_TLS_CA',
    },
    cert: {
      doc: 'Client certificate (PEM file) for agents',
      format: String,
      default: '',
      env: 'RIGBENCH_AGENT_TLS_CERT',
    },
    key: {
      doc: 'Client key (PEM file) for agents',
      format: String,
      default: '',
      env: 'RIGBENCH_AGENT_TLS_KEY',
    },
  },
  grpc: {
    deadlineSeconds: {
      doc: 'Deadline of unary agent calls (GetInfo, StartRun, …), in seconds',
      format: Number,
      default: 10,
      env: 'RIGBENCH_GRPC_DEADLINE_SECONDS',
    },
    keepaliveMinutes: {
      doc: 'gRPC keepalive ping interval towards agents, in minutes',
      format: Number,
      default: 5,
      env: 'RIGBENCH_GRPC_KEEPALIVE_MINUTES',
    },
  },
  store: {
    doc: 'SQLite store file (default: $XDG_DATA_HOME/rigbench/rigbench.db or ~/.local/share/rigbench/rigbench.db)',
    format: String,
    default: '',
    env: 'RIGBENCH_STORE',
  },
  fleet: {
    staleAfterIntervals: {
      doc: 'An agent is stale when its last heartbeat is older than this many of its heartbeat intervals',
      format: Number,
      default: 2.5,
      env: 'RIGBENCH_FLEET_STALE_AFTER_INTERVALS',
    },
    lostAfterIntervals: {
      doc: 'An agent is lost when its last heartbeat is older than this many of its heartbeat intervals',
      format: Number,
      default: 6,
      env: 'RIGBENCH_FLEET_LOST_AFTER_INTERVALS',
    },
    listenSeconds: {
      doc: 'How long short commands (agents, run) listen for heartbeats at most, in seconds',
      format: Number,
      default: 6,
      env: 'RIGBENCH_FLEET_LISTEN_SECONDS',
    },
    trustHeartbeatAddresses: {
      doc:
        'Send bearer tokens to agents known only from their heartbeats (address not configured, no agent TLS CA). ' +
        'Only safe when NATS gives each agent its own user that may publish nothing but its own heartbeat subject ' +
        '(deploy/nats); otherwise a forged heartbeat can point the controller, token in hand, at any address',
      format: Boolean,
      default: false,
      env: 'RIGBENCH_FLEET_TRUST_HEARTBEAT_ADDRESSES',
    },
  },
  collector: {
    durableName: {
      doc:
        'Durable JetStream consumer the controller reads events with; default rigbench-<hash of the store path>, ' +
        'so controller processes sharing a store share it, and each store gets every event',
      format: String,
      default: '',
      env: 'RIGBENCH_COLLECTOR_DURABLE',
    },
    batchSize: {
      doc: 'Most events written in one SQLite transaction',
      format: 'nat',
      default: 2000,
      env: 'RIGBENCH_COLLECTOR_BATCH_SIZE',
    },
    maxAckPending: {
      doc: 'Most unacknowledged events the consumer hands out',
      format: 'nat',
      default: 20000,
      env: 'RIGBENCH_COLLECTOR_MAX_ACK_PENDING',
    },
    writer: {
      doc:
        'Where events are parsed and written: worker (a thread of its own), inline (the NATS thread) or auto ' +
        '(worker with 4 or more CPUs: with fewer, nats-server and the NATS thread already use them)',
      format: ['auto', 'worker', 'inline'],
      default: 'auto',
      env: 'RIGBENCH_COLLECTOR_WRITER',
    },
    ackWaitSeconds: {
      doc: 'Seconds before an unacknowledged event is redelivered',
      format: Number,
      default: 30,
      env: 'RIGBENCH_COLLECTOR_ACK_WAIT_SECONDS',
    },
    metricsListen: {
      doc:
        'HOST:PORT where `rigbench collect` serves Prometheus /metrics (loopback by default; 0.0.0.0:9465 for a ' +
        'Prometheus on another host; "off" for none)',
      format: String,
      default: '127.0.0.1:9465',
      env: 'RIGBENCH_COLLECTOR_METRICS_LISTEN',
    },
  },
  defaults: {
    format: {
      doc: 'Default report format',
      format: ['md', 'csv', 'json', 'html'],
      default: 'md',
      env: 'RIGBENCH_REPORT_FORMAT',
    },
  },
};

/** Every environment variable the controller config reads (`RIGBENCH_…`), in schema order. */
export function controllerEnvNames(): string[] {
  const names: string[] = [];
  const walk = (node: object): void => {
    for (const child of Object.values(node) as object[]) {
      if ('default' in child) {
        const env = (child as { env?: unknown }).env;
        if (typeof env === 'string') names.push(env);
      } else walk(child);
    }
  };
  walk(configSchema);
  return names;
}
