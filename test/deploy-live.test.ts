import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ensureSynthModel, type AgentHeartbeat, type AgentRpc } from '@rigbench/shared';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import {
  DEPLOY_DIR,
  EXTERNAL_METRICS,
  MissingToolError,
  exitOf,
  startAgentBinary,
  type AgentListening,
  type AgentProcess,
  TEST_NATS_USERS,
  TOOL_HINTS,
  dashboardExpressions,
  dashboardVariableQueries,
  exposedSeriesNames,
  labelValuesMetric,
  promqlMetricNames,
  readDashboard,
  readDeployYaml,
  COLLECTOR_METRICS,
  recordedSeriesNames,
  ruleExpressions,
  runTool,
  startShippedNats,
  substituteGrafanaVariables,
  type ShippedNats,
} from './deploy-helpers.js';
import { agentClient, authMetadata, call, cpuPlan } from './support/agent-harness.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';

/**
 * The deployment kit end to end, with real processes: install.sh stages a node's config and token; the real agent
 * binary starts from that config against a nats-server running the shipped nats.conf (auth on); a real Prometheus
 * (Debian's binary, our own process, not the package's service) runs the shipped prometheus.yml and alert rules,
 * scrapes the agent and answers queries.
 */

const AGENT_ID = 'gpu-box-1';

interface PromResponse<T> {
  status: 'success' | 'error';
  error?: string;
  data: T;
}

interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

/** Kept output of a child process, for failure messages. */
function captureOutput(child: ChildProcess): () => string {
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-32_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

describe('deploy - real Prometheus scrapes a real agent installed by install.sh', () => {
  let work: string;
  let nats: ShippedNats;
  let agent: AgentProcess;
  let listening: AgentListening;
  let exposition: string;
  let prometheus: ChildProcess;
  let prometheusOutput: () => string;
  let prometheusUrl: string;
  let stageRoot: string;
  let modelSource: string;

  const metricsUrl = (): string =>
    listening.metrics.startsWith('http') ? listening.metrics : `http://${listening.metrics}`;

  async function promQuery<T>(path: string): Promise<T> {
    const response = await fetch(`${prometheusUrl}${path}`);
    const body = (await response.json()) as PromResponse<T>;
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  }

  const instant = (query: string): Promise<{ resultType: string; result: PromSeries[] }> =>
    promQuery(`/api/v1/query?query=${encodeURIComponent(query)}`);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'rigbench-deploy-live-'));
    nats = await startShippedNats();

    // 1. install.sh stages the node: agent.yaml and a generated token.
    const root = join(work, 'root');
    stageRoot = root;
    const staged = runTool(
      'bash',
      [
        join(DEPLOY_DIR, 'install.sh'),
        '--dry-run',
        '--root',
        root,
        '--agent-id',
        AGENT_ID,
        '--labels',
        'gpu=none,site=ci',
        '--nats',
        nats.server.url,
        '--nats-password-stdin',
      ],
      { input: `${TEST_NATS_USERS.agent.password}\n` },
    );
    if (staged.status !== 0) throw new Error(`install.sh failed:\n${staged.stdout}${staged.stderr}`);

    // 2. The real agent binary from that config; only paths and ports differ from a real node.
    const models = join(work, 'models');
    mkdirSync(models);
    modelSource = basename(await ensureSynthModel(models, 'tiny'));
    agent = await startAgentBinary(
      [
        '--config',
        join(root, 'etc/rigbench/agent.yaml'),
        '--listen',
        '127.0.0.1:0',
        '--advertise',
        '127.0.0.1:0',
        '--metrics-listen',
        '127.0.0.1:0',
        '--models-dir',
        models,
        '--outbox-dir',
        join(work, 'outbox'),
        '--auth-token-file',
        join(root, 'etc/rigbench/agent.token'),
        '--log-level',
        'warn',
      ],
      work,
    );
    listening = agent.listening;
    exposition = await (await fetch(`${metricsUrl()}/metrics`)).text();

    // 3. Prometheus with the shipped config: only intervals, paths and target addresses are changed.
    const config = readDeployYaml('prometheus/prometheus.yml') as {
      global: Record<string, string>;
      alerting?: unknown;
      rule_files: string[];
      scrape_configs: Array<{
        job_name: string;
        file_sd_configs?: Array<{ files: string[]; refresh_interval?: string }>;
        static_configs?: Array<{ targets: string[] }>;
        scrape_interval?: string;
        scrape_timeout?: string;
      }>;
    };
    const port = await freePort();
    const metricsAddress = new URL(metricsUrl()).host;
    const targets = join(work, 'targets');
    mkdirSync(targets);
    // As the docs ask: the target's node label is the agent id.
    writeFileSync(
      join(targets, 'agents.json'),
      JSON.stringify([{ targets: [metricsAddress], labels: { node: AGENT_ID } }]),
    );
    // No node label: the relabelling must fall back to the host part of the address.
    writeFileSync(join(targets, 'gpu-exporters.json'), JSON.stringify([{ targets: [`127.0.0.1:${port}`] }]));
    config.global = { scrape_interval: '1s', evaluation_interval: '1s' };
    // No Alertmanager here (its config is checked with amtool in deploy-compose.test.ts); the compose host name
    // `alertmanager` would not resolve.
    delete config.alerting;
    config.rule_files = config.rule_files.map((pattern) => join(DEPLOY_DIR, 'prometheus', pattern));
    for (const job of config.scrape_configs) {
      delete job.scrape_interval;
      delete job.scrape_timeout;
      for (const sd of job.file_sd_configs ?? []) {
        sd.files = sd.files.map((file) => join(targets, file.replace(/^targets\//, '')));
        sd.refresh_interval = '1s';
      }
      for (const sc of job.static_configs ?? []) sc.targets = [`127.0.0.1:${port}`];
    }
    const configFile = join(work, 'prometheus.yml');
    writeFileSync(configFile, toYaml(config));
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(work, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.add(prometheus);
    prometheusOutput = captureOutput(prometheus);
    const spawnError = new Promise<Error>((resolve) => prometheus.once('error', resolve));
    await Promise.race([
      spawnError.then((error) => {
        throw new MissingToolError('prometheus', TOOL_HINTS.prometheus ?? '', { cause: error });
      }),
      eventually(
        async () => {
          if (prometheus.exitCode !== null) throw new Error(`prometheus exited:\n${prometheusOutput()}`);
          return (await fetch(`${prometheusUrl}/-/ready`)).ok;
        },
        { timeoutMs: 30_000, description: 'prometheus /-/ready' },
      ),
    ]);
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null && prometheus.signalCode === null) {
      const done = exitOf(prometheus);
      prometheus.kill('SIGTERM');
      await done;
    }
    await agent?.stop();
    await nats?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('query API - returns the rigbench_agent_info series of the scraped agent, labelled with its node', async () => {
    const series = await eventually(
      async () => {
        const data = await instant('rigbench_agent_info');
        return data.result.length > 0 ? data.result : false;
      },
      { timeoutMs: 30_000, description: 'rigbench_agent_info in Prometheus' },
    );
    expect(series).toHaveLength(1);
    const exposed = /^rigbench_agent_info\{[^}]*version="([^"]+)"/m.exec(exposition)?.[1];
    expect(series[0]?.metric).toMatchObject({
      __name__: 'rigbench_agent_info',
      job: 'rigbench-agent',
      node: AGENT_ID,
      version: exposed,
    });
    expect(series[0]?.value[1]).toBe('1');
  });

  test('relabelling - `up` carries the node from the targets file, or the host when the file gives none', async () => {
    const up = await eventually(
      async () => {
        const data = await instant('up{job=~"rigbench-agent|gpu-exporter"}');
        return data.result.length === 2 ? data.result : false;
      },
      { timeoutMs: 30_000, description: 'both file_sd targets scraped' },
    );
    const byJob = Object.fromEntries(up.map((s) => [s.metric.job, s]));
    expect(byJob['rigbench-agent']?.metric.node).toBe(AGENT_ID);
    expect(byJob['rigbench-agent']?.value[1]).toBe('1');
    expect(byJob['gpu-exporter']?.metric.node).toBe('127.0.0.1');
    // honor_labels keeps the agent's own node label instead of renaming it.
    const renamed = await instant('count({__name__=~"rigbench_.+", exported_node!=""})');
    expect(renamed.result).toEqual([]);
  });

  test('NATS - the agent connects with the shipped auth config, creates the stream and heartbeats', async () => {
    await eventually(
      async () => {
        const data = await instant(`rigbench_nats_connected{node="${AGENT_ID}"}`);
        return data.result[0]?.value[1] === '1';
      },
      { timeoutMs: 30_000, description: 'rigbench_nats_connected == 1 in Prometheus' },
    );
    const controller = await connect({
      servers: nats.server.url,
      user: TEST_NATS_USERS.controller.user,
      pass: TEST_NATS_USERS.controller.password,
    });
    try {
      const heartbeat = controller.subscribe(`rigbench.heartbeat.${AGENT_ID}`, { max: 1, timeout: 20_000 });
      const jsm = await jetstreamManager(controller);
      const info = await eventually(() => jsm.streams.info('RIGBENCH_EVENTS'), {
        description: 'the agent created RIGBENCH_EVENTS',
      });
      expect(info.config.subjects).toEqual(['rigbench.events.>']);
      for await (const message of heartbeat) {
        // The labels given to install.sh reach the controller through the staged config.
        expect(message.json<AgentHeartbeat>()).toMatchObject({
          type: 'agent.heartbeat',
          agentId: AGENT_ID,
          labels: { gpu: 'none', site: 'ci' },
        });
      }
    } finally {
      await controller.close();
    }
  });

  test("metric names - every metric in the dashboard and the alert rules exists in the agent's /metrics", () => {
    const exposed = exposedSeriesNames(exposition);
    expect(exposed.has('rigbench_decode_tokens_per_second_bucket')).toBe(true);
    const used = [...ruleExpressions(), ...dashboardExpressions(readDashboard())].flatMap(({ where, expr }) =>
      promqlMetricNames(expr).map((name) => ({ where, name })),
    );
    for (const { name, query } of dashboardVariableQueries(readDashboard())) {
      const metric = labelValuesMetric(query);
      if (metric) used.push({ where: `variable ${name}`, name: metric });
    }
    const recorded = recordedSeriesNames();
    const collector = new Set<string>(COLLECTOR_METRICS);
    const missing = used.filter(
      ({ name }) =>
        !exposed.has(name) && !(name in EXTERNAL_METRICS) && !recorded.has(name) && !collector.has(name),
    );
    expect(missing).toEqual([]);
    // Every rigbench metric family of the agent appears somewhere in the kit (dashboard or alerts), or is listed
    // here as deliberately left to `rigbench report`.
    const reportOnly = new Set([
      'rigbench_prompt_tokens',
      'rigbench_sample_duration_seconds',
      'rigbench_outbox_bytes',
    ]);
    const families = [...exposition.matchAll(/^# TYPE (rigbench_\w+) /gm)].map((m) => m[1] ?? '');
    const usedNames = new Set(used.map(({ name }) => name.replace(/_(bucket|sum|count)$/, '')));
    expect(families.filter((family) => !usedNames.has(family) && !reportOnly.has(family))).toEqual([]);
  });

  test('alert rules - Prometheus loads the shipped rules and evaluates every one without error', async () => {
    const groups = await eventually(
      async () => {
        const data = await promQuery<{
          groups: Array<{
            name: string;
            rules: Array<{ name: string; health: string; lastError?: string; lastEvaluation: string }>;
          }>;
        }>('/api/v1/rules');
        const rules = data.groups.flatMap((g) => g.rules);
        const evaluated = rules.length > 0 && rules.every((r) => !r.lastEvaluation.startsWith('0001'));
        return evaluated ? data.groups : false;
      },
      { timeoutMs: 30_000, description: 'every rule evaluated once' },
    );
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name).sort()).toEqual(
      ruleExpressions()
        .map((r) => r.where.split(' / ')[1])
        .sort(),
    );
    expect(rules.filter((r) => r.health !== 'ok')).toEqual([]);
  });

  test('dashboard - every panel query and variable query runs on the real Prometheus', async () => {
    const failures: string[] = [];
    for (const { where, expr } of dashboardExpressions(readDashboard())) {
      try {
        await instant(substituteGrafanaVariables(expr));
      } catch (error) {
        failures.push(`${where}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
    const nodes = await promQuery<string[]>(
      `/api/v1/label/node/values?match[]=${encodeURIComponent('rigbench_agent_info')}`,
    );
    expect(nodes).toEqual([AGENT_ID]);
  });

  test('a real run - decode t/s and TTFT panels show the node, backend and model; no failure alert fires', async () => {
    const token = readFileSync(join(stageRoot, 'etc/rigbench/agent.token'), 'utf8').trim();
    const client = agentClient(listening.grpc);
    try {
      const accepted = await call<AgentRpc.StartRunRequest, AgentRpc.StartRunResponse__Output>(
        client,
        client.StartRun,
        { run_id: 'deploy-live-1', plan_json: JSON.stringify(cpuPlan(modelSource)), label: 'night' },
        authMetadata(`Bearer ${token}`),
      );
      expect(accepted.case_count).toBeGreaterThan(0);
    } finally {
      client.close();
    }
    await eventually(
      async () => {
        const runs = await instant(`rigbench_runs_total{node="${AGENT_ID}", outcome="completed"}`);
        return runs.result[0]?.value[1] === '1';
      },
      { timeoutMs: 120_000, intervalMs: 250, description: 'a completed run scraped by Prometheus' },
    );
    const panel = (title: string): string => {
      const found = dashboardExpressions(readDashboard()).find(({ where }) => where.startsWith(title));
      if (!found) throw new Error(`no dashboard panel "${title}"`);
      return substituteGrafanaVariables(found.expr);
    };
    for (const title of ['Decode tokens/s by node', 'Time to first token', 'Prompt processing tokens/s']) {
      const data = await eventually(
        async () => {
          const result = (await instant(panel(title))).result;
          return result.length > 0 ? result : false;
        },
        { timeoutMs: 30_000, description: `panel "${title}" has data` },
      );
      for (const series of data) {
        // The decode panel reads the per-case gauges (one series per prompt); the others the histograms.
        const { prompt: _prompt, ...labels } = series.metric;
        expect(labels).toEqual({ node: AGENT_ID, backend: 'cpu', devices: 'none', model: 'tiny' });
        const value = Number(series.value[1]);
        expect({ title, value, positive: Number.isFinite(value) && value > 0 }).toEqual({
          title,
          value,
          positive: true,
        });
      }
    }
    const failing = await instant('ALERTS{alertname=~"RigbenchRunFailed|RigbenchCaseFailures"}');
    expect(failing.result).toEqual([]);
  });

  test('shutdown - the agent exits 0 on SIGTERM within the unit TimeoutStopSec', async () => {
    const unit = readFileSync(join(DEPLOY_DIR, 'systemd', 'rigbench-agent.service'), 'utf8');
    const timeoutSeconds = Number(/^TimeoutStopSec=(\d+)s$/m.exec(unit)?.[1]);
    const started = Date.now();
    const code = await agent.stop();
    expect({ code, output: code === 0 ? '' : agent.output() }).toEqual({ code: 0, output: '' });
    expect(Date.now() - started).toBeLessThan(timeoutSeconds * 1000);
  });
});
