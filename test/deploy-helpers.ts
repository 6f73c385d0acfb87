import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';

/** Repository root (this file lives in `test/`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The deployment kit under test. */
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');

/** A tool the deployment tests run is not installed. */
export class MissingToolError extends Error {
  constructor(tool: string, hint: string, options?: ErrorOptions) {
    super(`${tool} is not installed or not on PATH; ${hint}`, options);
    this.name = 'MissingToolError';
  }
}

/** Install hints for the tools these tests need (they fail with the hint, never skip). */
export const TOOL_HINTS: Record<string, string> = {
  promtool: "install Debian's prometheus package: apt-get install prometheus",
  amtool: "install Debian's prometheus-alertmanager package: apt-get install prometheus-alertmanager",
  prometheus: "install Debian's prometheus package: apt-get install prometheus",
  'nats-server': 'install it with apt-get install nats-server',
  'systemd-analyze': 'install systemd: apt-get install systemd',
  shellcheck: 'install it with apt-get install shellcheck',
  bash: 'install bash',
  openssl: 'install it with apt-get install openssl',
};

/** Runs `tool args` synchronously; throws {@link MissingToolError} when the binary does not exist. */
export function runTool(
  tool: string,
  args: readonly string[],
  options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): SpawnSyncReturns<string> {
  const result = spawnSync(tool, args, {
    encoding: 'utf8',
    input: options.input,
    cwd: options.cwd,
    env: options.env ?? process.env,
    timeout: options.timeoutMs ?? 60_000,
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new MissingToolError(tool, TOOL_HINTS[tool] ?? 'install it', { cause: result.error });
  }
  if (result.error) throw result.error;
  return result;
}

/** stdout and stderr of a finished tool run, for assertion messages. */
export const outputOf = (result: SpawnSyncReturns<string>): string => `${result.stdout}${result.stderr}`;

/** Reads a YAML file of the deployment kit (merge keys `<<` enabled, as docker compose reads them). */
export function readDeployYaml(relativePath: string): unknown {
  return parseYaml(readFileSync(join(DEPLOY_DIR, relativePath), 'utf8'), { merge: true });
}

/** Series names exported by a Prometheus text exposition, with `_bucket`/`_sum`/`_count` for histograms. */
export function exposedSeriesNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      const [, name = '', kind] = type;
      names.add(name);
      if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
      if (kind === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample?.[1]) names.add(sample[1]);
  }
  return names;
}

/** PromQL words that look like identifiers but are not metric names. */
const PROMQL_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** Replaces Grafana's dashboard variables with values that make a plain PromQL expression. */
export function substituteGrafanaVariables(expr: string): string {
  return (
    expr
      .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
      .replace(/\$window/g, '1h')
      // `$node`, `${model}`…; not `$1`, which is label_replace's capture group reference.
      .replace(/\$\{?[A-Za-z_]\w*\}?/g, '.*')
  );
}

/**
 * Metric names a PromQL expression selects. Strings, label matchers, ranges and grouping label lists are cut out
 * first, so `sum by (node) (rate(x_bucket{node=~"$node"}[5m]))` yields only `x_bucket`; an identifier followed by
 * `(` is a function or aggregation.
 */
export function promqlMetricNames(expression: string): string[] {
  let expr = substituteGrafanaVariables(expression);
  expr = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  expr = expr.replace(/\{[^}]*\}/g, ' ');
  expr = expr.replace(/\[[^\]]*\]/g, ' ');
  expr = expr.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  const token = /[a-zA-Z_:][a-zA-Z0-9_:]*|\d[\w.]*/g;
  for (let match = token.exec(expr); match; match = token.exec(expr)) {
    const word = match[0];
    if (/^\d/.test(word) || PROMQL_KEYWORDS.has(word.toLowerCase())) continue;
    const rest = expr.slice(match.index + word.length);
    if (/^\s*\(/.test(rest)) continue;
    names.add(word);
  }
  return [...names];
}

/** The metric a Grafana `label_values(metric{…}, label)` variable query reads, if it names one. */
export function labelValuesMetric(query: string): string | undefined {
  return /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{[^}]*\})?\s*,/.exec(query)?.[1];
}

/** Minimal shape of the parts of a Grafana dashboard the tests read. */
export interface GrafanaDashboard {
  uid: string;
  title: string;
  templating: {
    list: Array<{ name: string; type: string; query?: unknown; definition?: string; current?: unknown }>;
  };
  panels: GrafanaPanel[];
}

export interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr?: string; refId: string; datasource?: { type: string; uid: string } }>;
  panels?: GrafanaPanel[];
}

/** Reads the shipped rigbench dashboard. */
export function readDashboard(): GrafanaDashboard {
  return JSON.parse(
    readFileSync(join(DEPLOY_DIR, 'grafana', 'dashboards', 'rigbench.json'), 'utf8'),
  ) as GrafanaDashboard;
}

/** Every panel, including those nested in collapsed rows. */
export function allPanels(dashboard: GrafanaDashboard): GrafanaPanel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Every PromQL expression of the dashboard's panels, named `panel title / refId` for messages. */
export function dashboardExpressions(dashboard: GrafanaDashboard): Array<{ where: string; expr: string }> {
  return allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? [])
      .filter((target) => typeof target.expr === 'string' && target.expr.trim() !== '')
      .map((target) => ({ where: `${panel.title} / ${target.refId}`, expr: target.expr ?? '' })),
  );
}

/** The query of each `query` variable (`label_values(…)`). */
export function dashboardVariableQueries(
  dashboard: GrafanaDashboard,
): Array<{ name: string; query: string }> {
  return dashboard.templating.list
    .filter((variable) => variable.type === 'query')
    .map((variable) => {
      const query = variable.query;
      const text =
        typeof query === 'string'
          ? query
          : typeof query === 'object' && query !== null && 'query' in query
            ? String((query as { query: unknown }).query)
            : (variable.definition ?? '');
      return { name: variable.name, query: text };
    });
}

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string; expr: string }> }>;
}

/** The rule files Prometheus loads (`rule_files: rules/*.yml`), relative to `deploy/`. */
export function ruleFiles(): string[] {
  return readdirSync(join(DEPLOY_DIR, 'prometheus', 'rules'))
    .filter((name) => name.endsWith('.yml'))
    .sort()
    .map((name) => `prometheus/rules/${name}`);
}

/** Every alert and recording rule expression in `deploy/prometheus/rules/*.yml`. */
export function ruleExpressions(): Array<{ where: string; expr: string }> {
  return ruleFiles().flatMap((path) =>
    (readDeployYaml(path) as RuleFile).groups.flatMap((group) =>
      group.rules.map((rule) => ({ where: `${group.name} / ${rule.alert ?? rule.record}`, expr: rule.expr })),
    ),
  );
}

/** Series the shipped recording rules produce (`rigbench:…`): Prometheus' own, not the agent's. */
export function recordedSeriesNames(): Set<string> {
  return new Set(
    ruleFiles().flatMap((path) =>
      (readDeployYaml(path) as RuleFile).groups.flatMap((group) =>
        group.rules.flatMap((rule) => (rule.record ? [rule.record] : [])),
      ),
    ),
  );
}

/**
 * Metrics the dashboard reads from other exporters, joined with `rigbench_gpu_info` on the GPU uuid, and
 * Prometheus' own `up`. Everything else must come from the agent.
 */
export const EXTERNAL_METRICS: Record<string, string> = {
  up: 'Prometheus (scrape health)',
  DCGM_FI_DEV_POWER_USAGE: 'NVIDIA dcgm-exporter',
  DCGM_FI_DEV_GPU_UTIL: 'NVIDIA dcgm-exporter',
  nvidia_smi_power_draw_watts: 'utkuozdemir/nvidia_gpu_exporter',
  nvidia_smi_utilization_gpu_ratio: 'utkuozdemir/nvidia_gpu_exporter',
  gnatsd_varz_connections: 'prometheus-nats-exporter (-varz)',
  gnatsd_varz_slow_consumers: 'prometheus-nats-exporter (-varz)',
  jetstream_stream_total_messages: 'prometheus-nats-exporter (-jsz=all)',
  jetstream_consumer_num_pending: 'prometheus-nats-exporter (-jsz=all)',
};

/**
 * Metrics `rigbench collect` serves (apps/controller/src/collector/collector-metrics.ts); the collector metrics
 * test checks that its real exposition has exactly these families.
 */
export const COLLECTOR_METRICS = [
  'rigbench_collector_consumer_lag_messages',
  'rigbench_collector_events_duplicate_total',
  'rigbench_collector_events_quarantined_total',
  'rigbench_collector_events_received_total',
  'rigbench_collector_events_stored_total',
  'rigbench_collector_failed_batches_total',
  'rigbench_collector_last_batch_timestamp_seconds',
  'rigbench_collector_store_bytes',
  'rigbench_collector_up',
] as const;

/** Passwords the tests give the shipped NATS config through its `$NATS_…_PASSWORD` environment references. */
export const TEST_NATS_USERS = {
  agent: { user: 'agent', password: 'agent-test-password' },
  controller: { user: 'controller', password: 'controller-test-password' },
} as const;

/** A nats-server running the shipped config; `dispose()` stops it and removes its temp dir. */
export interface ShippedNats {
  server: NatsServerHandle;
  dispose(): Promise<void>;
}

/**
 * A script that runs nats-server with the environment docker compose would give it (`$NATS_…_PASSWORD`,
 * `$NATS_SERVER_NAME`). startNatsServer spawns with the runner's environment, not jest's sandboxed
 * `process.env`, so the variables travel through this wrapper.
 */
function natsWrapper(dir: string, env: Record<string, string>): string {
  const wrapper = join(dir, 'nats-server-with-env.sh');
  const nats = runTool('sh', ['-c', 'command -v nats-server']).stdout.trim() || 'nats-server';
  const all = {
    NATS_AGENT_PASSWORD: TEST_NATS_USERS.agent.password,
    NATS_CONTROLLER_PASSWORD: TEST_NATS_USERS.controller.password,
    ...env,
  };
  writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      ...Object.entries(all).map(([k, v]) => `export ${k}='${v}'`),
      `exec '${nats}' "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return wrapper;
}

/** Copies a shipped NATS config (and the auth.conf it includes) to `dir`, with the JetStream store in `dir/store`. */
function stageNatsConf(file: string, dir: string, edit: (conf: string) => string = (conf) => conf): string {
  const natsDir = join(DEPLOY_DIR, 'compose', 'nats');
  const conf = readFileSync(join(natsDir, file), 'utf8');
  if (!/store_dir: \/data\n/.test(conf)) throw new Error(`${file}: expected \`store_dir: /data\` to rewrite`);
  const target = join(dir, file);
  writeFileSync(target, edit(conf.replace(/store_dir: \/data\n/, `store_dir: ${join(dir, 'store')}\n`)));
  copyFileSync(join(natsDir, 'auth.conf'), join(dir, 'auth.conf'));
  return target;
}

/**
 * Starts a real nats-server with the shipped `deploy/compose/nats/nats.conf` (and the `auth.conf` it includes),
 * copied to a temp dir with only the JetStream store dir and the ports changed, passwords from the environment as
 * docker compose passes them.
 */
export async function startShippedNats(): Promise<ShippedNats> {
  const confDir = mkdtempSync(join(tmpdir(), 'rigbench-nats-conf-'));
  const conf = stageNatsConf('nats.conf', confDir);
  const monitorPort = await freePort();
  const server = await startNatsServer({
    binary: natsWrapper(confDir, {}),
    jetStream: false,
    args: ['-c', conf, '-m', String(monitorPort)],
  });
  return {
    server,
    dispose: async () => {
      await server.dispose();
      rmSync(confDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts nats-server with the hardened profile's `deploy/compose/nats/nats-tls.conf` (which includes nats.conf),
 * the certificate paths pointed at `certDir` (holding ca.pem, nats.pem, nats.key).
 */
export async function startShippedTlsNats(certDir: string): Promise<ShippedNats> {
  const confDir = mkdtempSync(join(tmpdir(), 'rigbench-nats-tls-conf-'));
  stageNatsConf('nats.conf', confDir);
  const tlsConf = readFileSync(join(DEPLOY_DIR, 'compose', 'nats', 'nats-tls.conf'), 'utf8');
  if (!tlsConf.includes('/etc/nats/certs/'))
    throw new Error('nats-tls.conf: expected /etc/nats/certs/ to rewrite');
  const conf = join(confDir, 'nats-tls.conf');
  writeFileSync(conf, tlsConf.replaceAll('/etc/nats/certs/', `${certDir}/`));
  const server = await startNatsServer({
    binary: natsWrapper(confDir, {}),
    jetStream: false,
    args: ['-c', conf, '-m', String(await freePort())],
  });
  return {
    server,
    dispose: async () => {
      await server.dispose();
      rmSync(confDir, { recursive: true, force: true });
    },
  };
}

/** The shipped three-node cluster, running; `dispose()` stops every member. */
export interface ShippedNatsCluster {
  servers: NatsServerHandle[];
  /** Client URLs of all members, comma-separated, as an agent's `nats.servers`. */
  urls: string;
  dispose(): Promise<void>;
}

/**
 * Starts the three members of `deploy/compose/nats-cluster.yml` as local processes from the shipped
 * `cluster.conf`: only the store dirs, ports and the route host names (compose service names) change.
 */
export async function startShippedNatsCluster(): Promise<ShippedNatsCluster> {
  const names = ['nats-1', 'nats-2', 'nats-3'];
  const routePorts = await Promise.all(names.map(() => freePort()));
  const dirs = names.map((name) => mkdtempSync(join(tmpdir(), `rigbench-${name}-`)));
  const starts = names.map(async (name, index) => {
    const conf = stageNatsConf('cluster.conf', dirs[index] ?? '', (text) => {
      let edited = text.replace('listen: 0.0.0.0:6222', `listen: 127.0.0.1:${routePorts[index]}`);
      names.forEach((peer, peerIndex) => {
        edited = edited.replace(
          `nats-route://${peer}:6222`,
          `nats-route://127.0.0.1:${routePorts[peerIndex]}`,
        );
      });
      if (edited.includes(':6222'))
        throw new Error('cluster.conf: a route or listen address was not rewritten');
      return edited;
    });
    return startNatsServer({
      binary: natsWrapper(dirs[index] ?? '', { NATS_SERVER_NAME: name }),
      jetStream: false,
      args: ['-c', conf, '-m', String(await freePort())],
    });
  });
  const servers = await Promise.all(starts);
  return {
    servers,
    urls: servers.map((server) => server.url).join(','),
    dispose: async () => {
      await Promise.all(servers.map((server) => server.dispose()));
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The line `rigbench-agent` prints on stdout once it serves. */
export interface AgentListening {
  event: 'listening';
  /** `host:port` of gRPC. */
  grpc: string;
  /** `host:port` (or URL) of /metrics. */
  metrics: string;
}

/** The real agent binary (`apps/agent/dist/main.js`) running as a child process. */
export interface AgentProcess {
  child: ChildProcess;
  listening: AgentListening;
  /** Last output (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null>;
}

export const AGENT_MAIN = join(REPO_ROOT, 'apps', 'agent', 'dist', 'main.js');

const agentChildren = new Set<ChildProcess>();
let agentExitHook = false;

/** Resolves with the exit code once `child` has exited. */
export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Spawns `node apps/agent/dist/main.js ARGS` and waits for its `listening` line. */
export async function startAgentBinary(args: readonly string[], cwd: string): Promise<AgentProcess> {
  if (!existsSync(AGENT_MAIN)) throw new Error(`${AGENT_MAIN} is missing: build first with 'npx tsc -b'`);
  if (!agentExitHook) {
    agentExitHook = true;
    process.once('exit', () => {
      for (const child of agentChildren) child.kill('SIGKILL');
    });
  }
  const child = spawn(process.execPath, [AGENT_MAIN, ...args], {
    cwd,
    env: { ...process.env, HOME: cwd },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  agentChildren.add(child);
  child.once('exit', () => agentChildren.delete(child));
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-32_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const listening = await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`rigbench-agent exited ${child.exitCode}:\n${output}`);
      const line = output.split('\n').find((l) => l.includes('"event":"listening"'));
      return line ? (JSON.parse(line) as AgentListening) : false;
    },
    { timeoutMs: 30_000, description: 'rigbench-agent prints its listening line' },
  );
  return {
    child,
    listening,
    output: () => output,
    stop: async () => {
      const done = exitOf(child);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return done;
    },
  };
}
