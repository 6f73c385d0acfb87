import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import {
  DEPLOY_DIR,
  EXTERNAL_METRICS,
  dashboardExpressions,
  dashboardVariableQueries,
  labelValuesMetric,
  outputOf,
  promqlMetricNames,
  readDashboard,
  readDeployYaml,
  ruleExpressions,
  runTool,
  substituteGrafanaVariables,
} from './deploy-helpers.js';

const PROMETHEUS_DIR = join(DEPLOY_DIR, 'prometheus');
const RULE_TEST_FILES = [
  'tests/rigbench.rules.test.yml',
  'tests/rigbench-regression.rules.test.yml',
  'tests/rigbench-outbox-integrity.rules.test.yml',
];

describe('deploy/prometheus - promtool', () => {
  test('promtool check config - prometheus.yml and the rule files it loads are valid', () => {
    const result = runTool('promtool', ['check', 'config', 'prometheus.yml'], { cwd: PROMETHEUS_DIR });
    expect(outputOf(result)).toContain('SUCCESS: prometheus.yml is valid');
    expect(outputOf(result)).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status).toBe(0);
  });

  test('promtool check rules - rigbench.rules.yml is valid', () => {
    const result = runTool('promtool', ['check', 'rules', 'rules/rigbench.rules.yml'], {
      cwd: PROMETHEUS_DIR,
    });
    expect(outputOf(result)).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status).toBe(0);
  });

  test('promtool test rules - every alert fires on its failure and stays quiet otherwise', () => {
    const result = runTool('promtool', ['test', 'rules', 'tests/rigbench.rules.test.yml'], {
      cwd: PROMETHEUS_DIR,
    });
    expect(outputOf(result)).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('promtool test rules - the outbox dead-letter alert fires on a new dead letter and clears after an hour', () => {
    const result = runTool('promtool', ['test', 'rules', 'tests/rigbench-outbox-integrity.rules.test.yml'], {
      cwd: PROMETHEUS_DIR,
    });
    expect(outputOf(result)).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('promtool test rules - every alert rule has at least one unit test', () => {
    const tests = RULE_TEST_FILES.flatMap(
      (file) =>
        (
          readDeployYaml(`prometheus/${file}`) as {
            tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
          }
        ).tests,
    );
    const tested = new Set(
      tests.flatMap((t) =>
        (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
      ),
    );
    const alerts = ruleExpressions().map((rule) => rule.where.split(' / ')[1] ?? '');
    const untested = alerts.filter((name) => !tested.has(name));
    expect(untested).toEqual([]);
  });

  test('dashboard PromQL - every panel expression parses (promtool check rules on them as recording rules)', () => {
    const expressions = dashboardExpressions(readDashboard());
    expect(expressions.length).toBeGreaterThan(15);
    const dir = mkdtempSync(join(tmpdir(), 'rigbench-dash-promql-'));
    try {
      const file = join(dir, 'dashboard.rules.yml');
      const rules = expressions.map(({ expr }, index) => ({
        record: `rigbench_dashboard:query_${index}`,
        expr: substituteGrafanaVariables(expr),
      }));
      writeFileSync(file, toYaml({ groups: [{ name: 'dashboard', rules }] }));
      const result = runTool('promtool', ['check', 'rules', file]);
      expect(outputOf(result)).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/grafana - GPU exporter join (promtool test rules with synthetic exporter series)', () => {
  test('power and utilisation panels - dcgm-exporter and nvidia_gpu_exporter series get the agent node, gpu and name', () => {
    const panels = dashboardExpressions(readDashboard()).filter(({ expr }) =>
      /DCGM_FI_DEV_POWER_USAGE|nvidia_smi_power_draw_watts|DCGM_FI_DEV_GPU_UTIL|nvidia_smi_utilization_gpu_ratio/.test(
        expr,
      ),
    );
    const exprOf = (metric: string): string => {
      const found = panels.find(({ expr }) => expr.includes(metric));
      if (!found) throw new Error(`no dashboard panel reads ${metric}`);
      return substituteGrafanaVariables(found.expr);
    };
    const agentLabels = { node: 'gpu-box-1', name: 'NVIDIA P104-100' };
    // The host's exporter scrape has its own node label (a Proxmox host serving an LXC agent); the join must give
    // the agent's. dcgm-exporter spells the label UUID, nvidia_gpu_exporter uuid.
    const series = [
      {
        series: 'rigbench_gpu_info{node="gpu-box-1", gpu="0", uuid="GPU-aaaa", name="NVIDIA P104-100"}',
        values: '1x5',
      },
      {
        series: 'rigbench_gpu_info{node="gpu-box-1", gpu="1", uuid="GPU-bbbb", name="NVIDIA P104-100"}',
        values: '1x5',
      },
      { series: 'DCGM_FI_DEV_POWER_USAGE{node="pve-host", gpu="0", UUID="GPU-aaaa"}', values: '95x5' },
      { series: 'DCGM_FI_DEV_GPU_UTIL{node="pve-host", gpu="0", UUID="GPU-aaaa"}', values: '87x5' },
      { series: 'nvidia_smi_power_draw_watts{node="pve-host", uuid="GPU-bbbb"}', values: '60x5' },
      { series: 'nvidia_smi_utilization_gpu_ratio{node="pve-host", uuid="GPU-bbbb"}', values: '0.5x5' },
      // A GPU no agent reports: not joined.
      { series: 'DCGM_FI_DEV_POWER_USAGE{node="other", gpu="0", UUID="GPU-cccc"}', values: '30x5' },
    ];
    const tests = {
      rule_files: [],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series,
          promql_expr_test: [
            {
              expr: exprOf('DCGM_FI_DEV_POWER_USAGE'),
              eval_time: '2m',
              exp_samples: [
                {
                  labels: `{UUID="GPU-aaaa", gpu="0", uuid="aaaa", node="${agentLabels.node}", name="${agentLabels.name}"}`,
                  value: 95,
                },
              ],
            },
            {
              expr: exprOf('nvidia_smi_power_draw_watts'),
              eval_time: '2m',
              exp_samples: [
                {
                  labels: `{gpu="1", uuid="bbbb", node="${agentLabels.node}", name="${agentLabels.name}"}`,
                  value: 60,
                },
              ],
            },
            {
              expr: exprOf('DCGM_FI_DEV_GPU_UTIL'),
              eval_time: '2m',
              exp_samples: [
                {
                  labels: `{UUID="GPU-aaaa", gpu="0", uuid="aaaa", node="${agentLabels.node}", name="${agentLabels.name}"}`,
                  value: 87,
                },
              ],
            },
            {
              expr: exprOf('nvidia_smi_utilization_gpu_ratio'),
              eval_time: '2m',
              exp_samples: [
                {
                  labels: `{gpu="1", uuid="bbbb", node="${agentLabels.node}", name="${agentLabels.name}"}`,
                  value: 50,
                },
              ],
            },
          ],
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'rigbench-gpu-join-'));
    try {
      const file = join(dir, 'gpu-join.test.yml');
      writeFileSync(file, toYaml(tests));
      const result = runTool('promtool', ['test', 'rules', file]);
      expect(outputOf(result)).not.toContain('FAILED');
      expect(outputOf(result)).toContain('SUCCESS');
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/prometheus - metric names', () => {
  test('promqlMetricNames - finds selectors, skips functions, labels, strings, ranges and grouping lists', () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.5, sum by (node, le) (rate(rigbench_ttft_seconds_bucket{node=~"$node"}[$window])))',
      ),
    ).toEqual(['rigbench_ttft_seconds_bucket']);
    expect(
      promqlMetricNames(
        'label_replace(DCGM_FI_DEV_POWER_USAGE, "uuid", "$1", "UUID", "(?:GPU-)?(.+)") ' +
          '* on (uuid) group_left (node, gpu, name) rigbench_gpu_info',
      ).sort(),
    ).toEqual(['DCGM_FI_DEV_POWER_USAGE', 'rigbench_gpu_info']);
    expect(promqlMetricNames('up{job="rigbench-agent"} == 0 unless on(node) x offset 6h > bool 3')).toEqual([
      'up',
      'x',
    ]);
    expect(
      labelValuesMetric('label_values(rigbench_decode_tokens_per_second_count{node=~"$node"}, backend)'),
    ).toBe('rigbench_decode_tokens_per_second_count');
  });

  test('rules and dashboard - every metric is a rigbench_ metric or a listed exporter metric', () => {
    const used = [...ruleExpressions(), ...dashboardExpressions(readDashboard())].flatMap(({ where, expr }) =>
      promqlMetricNames(expr).map((name) => ({ where, name })),
    );
    for (const { query } of dashboardVariableQueries(readDashboard())) {
      const name = labelValuesMetric(query);
      if (name) used.push({ where: `variable ${query}`, name });
    }
    expect(used.length).toBeGreaterThan(30);
    const foreign = used.filter(({ name }) => !name.startsWith('rigbench_') && !(name in EXTERNAL_METRICS));
    expect(foreign).toEqual([]);
  });
});
