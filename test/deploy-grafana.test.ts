import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEPLOY_DIR,
  allPanels,
  dashboardExpressions,
  readDashboard,
  readDeployYaml,
  type GrafanaPanel,
} from './deploy-helpers.js';

interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

const gridOf = (panel: GrafanaPanel): GridPos => (panel as GrafanaPanel & { gridPos: GridPos }).gridPos;

describe('deploy/grafana - rigbench dashboard', () => {
  const dashboard = readDashboard();

  test('identity - stable uid and title; the file is the one the provisioning provider loads', () => {
    expect(dashboard.uid).toBe('rigbench-overview');
    expect(dashboard.title).toMatch(/^rigbench/);
    const provider = readDeployYaml('grafana/provisioning/dashboards/rigbench.yml') as {
      apiVersion: number;
      providers: Array<{ type: string; folder: string; options: { path: string } }>;
    };
    expect(provider.apiVersion).toBe(1);
    expect(provider.providers).toEqual([
      expect.objectContaining({ type: 'file', folder: 'rigbench', options: expect.any(Object) }),
    ]);
    // The JSON must stay plain JSON (Grafana's file provider does not read JSON5 or comments).
    expect(() =>
      JSON.parse(readFileSync(join(DEPLOY_DIR, 'grafana/dashboards/rigbench.json'), 'utf8')),
    ).not.toThrow();
  });

  test('variables - a Prometheus datasource variable and node, backend and model multi-select variables', () => {
    const variables = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    expect(variables.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const name of ['node', 'backend', 'model']) {
      expect(variables[name]).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*' });
      expect(JSON.stringify(variables[name]?.query)).toContain(`, ${name})`);
    }
  });

  test('panels - every query panel reads the datasource variable and filters by the node variable', () => {
    const queryPanels = allPanels(dashboard).filter((panel) => panel.type !== 'row');
    expect(queryPanels.length).toBeGreaterThan(15);
    for (const panel of queryPanels) {
      expect({ title: panel.title, datasource: panel.datasource }).toEqual({
        title: panel.title,
        datasource: { type: 'prometheus', uid: '${datasource}' },
      });
    }
    const unfiltered = dashboardExpressions(dashboard).filter(({ expr }) => !expr.includes('$node'));
    expect(unfiltered).toEqual([]);
  });

  test('panels - the issue asks for decode t/s, TTFT, prompt t/s, runs, VRAM, agents, outbox and GPU power', () => {
    const expressions = dashboardExpressions(dashboard)
      .map(({ expr }) => expr)
      .join('\n');
    for (const needle of [
      'max by (node, backend, devices, model, prompt) (rigbench_case_decode_tokens_per_second{',
      'sum by (node, backend, devices, model, prompt, le) ((rigbench_decode_tokens_per_second_bucket',
      'rigbench_collector_consumer_lag_messages',
      'rigbench_collector_events_stored_total',
      'rigbench_collector_events_quarantined_total',
      'rigbench_collector_store_bytes',
      'gnatsd_varz_connections',
      'jetstream_consumer_num_pending',
      'rigbench_ttft_seconds_bucket',
      'rigbench_prompt_tokens_per_second_bucket',
      'rigbench_runs_total',
      'rigbench_cases_total',
      'rigbench_gpu_vram_used_bytes',
      'up{job="rigbench-agent"',
      'rigbench_agent_busy',
      'rigbench_outbox_pending_events',
      'DCGM_FI_DEV_POWER_USAGE',
      'DCGM_FI_DEV_GPU_UTIL',
      'nvidia_smi_power_draw_watts',
      'group_left (node, gpu, name)',
    ]) {
      expect([needle, expressions.includes(needle)]).toEqual([needle, true]);
    }
  });

  test('windows - counter and histogram panels count series created inside the window (first run after a start)', () => {
    // increase() alone drops a series' first value, and prom-client creates labelled series at their first
    // observation: the first benchmark run after an agent start would be missing from every panel.
    const lossy = dashboardExpressions(dashboard).filter(
      ({ expr }) =>
        /increase\(|rate\(/.test(expr) &&
        !/ unless .* offset /.test(expr) &&
        !expr.includes('$__rate_interval'),
    );
    expect(lossy).toEqual([]);
  });

  test('layout - unique panel ids, panels inside the 24-column grid and not overlapping', () => {
    const panels = allPanels(dashboard);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const cells = new Set<string>();
    for (const panel of panels) {
      const { x, y, w, h } = gridOf(panel);
      expect({ title: panel.title, fits: x >= 0 && w > 0 && x + w <= 24 && h > 0 }).toEqual({
        title: panel.title,
        fits: true,
      });
      for (let row = y; row < y + h; row++) {
        for (let col = x; col < x + w; col++) {
          const cell = `${row}:${col}`;
          expect({ title: panel.title, overlaps: cells.has(cell) }).toEqual({
            title: panel.title,
            overlaps: false,
          });
          cells.add(cell);
        }
      }
    }
  });

  test('drift - a per-day decode panel and version-change markers (the gauge view of rigbench trend)', () => {
    const drift = allPanels(dashboard).find((p) => p.title === 'Decode tokens/s per day (drift)');
    expect(drift?.targets?.[0]?.expr).toMatch(
      /rigbench_decode_tokens_per_second_bucket.*offset 1d\) or increase\(.*\[1d\]/,
    );
    const versions = dashboardExpressions(dashboard).find(({ where }) =>
      where.startsWith('Agent version changes'),
    );
    expect(versions?.expr).toContain(
      'rigbench_agent_info{node=~"$node"} unless rigbench_agent_info{node=~"$node"} offset 1d',
    );
    const annotations = (
      dashboard as unknown as { annotations: { list: Array<{ name: string; expr?: string }> } }
    ).annotations.list;
    expect(annotations.find((a) => a.name === 'Agent version changed')?.expr).toBe(versions?.expr);
  });

  test('energy - decode tokens per joule and decode power panels read the agent histograms', () => {
    const exprs = dashboardExpressions(dashboard).map(({ expr }) => expr);
    for (const metric of ['rigbench_decode_tokens_per_joule_bucket', 'rigbench_decode_power_watts_bucket'])
      expect([
        metric,
        exprs.some((e) => e.startsWith('histogram_quantile(0.5') && e.includes(metric)),
      ]).toEqual([metric, true]);
  });

  test('serving load - a table of every rigbench_load_* gauge by concurrency, and output tokens/s per level', () => {
    const exprs = dashboardExpressions(dashboard).map(({ expr }) => expr);
    for (const metric of [
      'rigbench_load_output_tokens_per_second',
      'rigbench_load_requests_per_second',
      'rigbench_load_goodput_requests_per_second',
      'rigbench_load_slo_attainment_ratio',
      'rigbench_load_ttft_p90_seconds',
      'rigbench_load_itl_p90_seconds',
      'rigbench_load_e2el_p90_seconds',
      'rigbench_load_completed_requests',
      'rigbench_load_output_tokens_per_joule',
    ])
      expect([metric, exprs.some((e) => e.startsWith(`${metric}{`))]).toEqual([metric, true]);
    expect(exprs).toContain(
      'max by (node, backend, model, prompt, concurrency) (rigbench_load_output_tokens_per_second{node=~"$node", backend=~"$backend", model=~"$model", prompt=~"$prompt"})',
    );
  });
});
