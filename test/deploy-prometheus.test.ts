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
const RULE_TEST_FILES = ['tests/rigbench.rules.test.yml', 'tests/rigbench-regression.rules.test.yml'];

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
