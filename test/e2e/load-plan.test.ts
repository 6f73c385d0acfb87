/**
 * A plan `load` test end to end: built rigbench and rigbench-agent binaries, a real nats-server, real inference on
 * parallel sequences of one context, the store's load_levels table, the md/json reports and the HTML saturation
 * curve laid out by a real headless Chromium.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { LoadLevelRecord } from '@rigbench/shared';
import { CHROMIUM, chromium, probePage } from '../support/chromium.js';
import { writeTinyModelPlan } from '../support/tiny-model-plan.js';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.js';
import { assertBuilt, builtCli, startAgentProcess, type RunningProcess } from '../support/binaries.js';

const TTFT_SLO_SECONDS = 30;
const ITL_P90_SLO_SECONDS = 5;

const PLAN = `
version: 1
name: e2e-load
models:
  - { id: tiny, source: MODEL }
prompts:
  load:
    - id: serve
      concurrency: [1, 2]
      requests: 4
      prompts: ["你好", "你觉得英伟达怎么样？"]
      maxTokens: 8
      slo: { ttftSeconds: ${TTFT_SLO_SECONDS}, itlP90Seconds: ${ITL_P90_SLO_SECONDS} }
    - id: poisson
      concurrency: 2
      arrivalRate: 20
      durationSeconds: 1
      prompts: ["你好"]
      maxTokens: 4
matrix:
  backend: cpu
  threads: [1]
  contextSize: [256]
warmup: 1
targets:
  selector: { e2e: "load" }
`;

interface Curve {
  title: string | null;
  points: { x: number; y: number }[];
  width: number;
  textsOutside: string[];
}

const CURVE_PROBE = `
  const clipped = [...document.querySelectorAll('#serving-load th, #serving-load td')]
    .filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent);
  const curves = [...document.querySelectorAll('#serving-load svg.load-curve')].map((svg) => {
    const box = svg.getBoundingClientRect();
    const points = [...svg.querySelectorAll('circle.throughput')].map((c) => {
      const b = c.getBoundingClientRect();
      return { x: b.x + b.width / 2 - box.x, y: b.y + b.height / 2 - box.y };
    });
    const textsOutside = [...svg.querySelectorAll('text')].filter((t) => {
      const b = t.getBoundingClientRect();
      return b.left < box.left - 1 || b.right > box.right + 1 || b.top < box.top - 1 || b.bottom > box.bottom + 1;
    }).map((t) => t.textContent);
    return { title: svg.getAttribute('aria-label'), points, width: box.width, textsOutside };
  });
  return { clipped, curves, pageWidth: document.documentElement.scrollWidth };
`;

describe('a plan load test end to end (built binaries, real nats-server, a real agent, real inference)', () => {
  let dir: string;
  let nats: NatsServerHandle;
  let agent: RunningProcess | undefined;

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rigbench-e2e-load-'));
    nats = await startNatsServer();
  });
  afterAll(async () => {
    agent?.child.kill('SIGKILL');
    await nats?.dispose();
    if (process.env.KEEP_SCREENSHOTS !== '1') rmSync(dir, { recursive: true, force: true });
    else console.log(`pages in ${dir}`);
  });

  test('load - a concurrency sweep [1, 2] is stored level by level with goodput against the SLOs, reported as md/json tables and an HTML curve', async () => {
    const { modelsDir, planFile } = await writeTinyModelPlan(dir, PLAN);
    const store = join(dir, 'rigbench.db');
    const cli = builtCli(store, nats.url);

    mkdirSync(join(dir, 'box'));
    agent = await startAgentProcess({
      id: 'box',
      labels: 'e2e=load',
      natsUrl: nats.url,
      modelsDir,
      outboxDir: join(dir, 'box', 'outbox'),
    });

    const run = await cli('run', planFile, '--label', 'load');
    expect({ code: run.code, stderr: run.stderr.slice(-2000) }).toEqual({
      code: 0,
      stderr: expect.any(String),
    });
    const runId = /^run (\S+)$/m.exec(run.stdout)?.[1];
    expect(runId).toBeDefined();
    expect(run.stdout).toMatch(/box: complete, 3\/3 cases/);

    // The store: one load_levels row per level, the figures consistent with the stored requests.
    const db = new Database(store, { readonly: true });
    const rows = db
      .prepare(
        `SELECT l.case_id, l.concurrency, l.completed, l.request_throughput, l.output_throughput, l.goodput,
           l.slo_attainment, l.duration_seconds, l.p90_ttft_ms, l.p90_itl_ms, l.requests_json, l.summary_json
         FROM load_levels l JOIN run_agents a ON l.ra = a.id WHERE a.run_id = ? AND l.test_id = 'serve'
         ORDER BY l.concurrency`,
      )
      .all(runId) as Array<Record<string, unknown>>;
    const poisson = db
      .prepare(
        `SELECT l.stream, l.arrival_rate, l.completed, l.slo_json, l.goodput, l.requests_json FROM load_levels l
         JOIN run_agents a ON l.ra = a.id WHERE a.run_id = ? AND l.test_id = 'poisson'`,
      )
      .all(runId) as Array<Record<string, unknown>>;
    db.close();
    // The Poisson level: arrivals from the seeded stream, sent for one second only, no SLOs so no goodput.
    expect(poisson).toHaveLength(1);
    expect(poisson[0]).toMatchObject({ stream: 'poisson', arrival_rate: 20, slo_json: null, goodput: null });
    const arrivals = (JSON.parse(poisson[0]!.requests_json as string) as LoadLevelRecord['requests']).map(
      (q) => q.arrivalMs,
    );
    expect(arrivals.length).toBe(poisson[0]!.completed);
    expect(arrivals.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...arrivals)).toBeLessThan(1000);
    expect([...arrivals].sort((x, y) => x - y)).toEqual(arrivals);
    expect(rows.map((r) => [r.case_id, r.concurrency, r.completed])).toEqual([
      ['c000-tiny-cpu-serve-conc1', 1, 4],
      ['c001-tiny-cpu-serve-conc2', 2, 4],
    ]);
    for (const r of rows) {
      const requests = JSON.parse(r.requests_json as string) as LoadLevelRecord['requests'];
      const summary = JSON.parse(r.summary_json as string) as LoadLevelRecord['summary'];
      expect(requests).toHaveLength(4);
      const seconds = r.duration_seconds as number;
      expect(seconds).toBeGreaterThan(0);
      // Every request generated maxTokens (end-of-sequence ignored) and has its own latencies.
      for (const q of requests) {
        expect(q.outputTokens).toBe(8);
        expect(q.ttftMs).not.toBeNull();
        expect(q.ttftMs!).toBeLessThanOrEqual(q.e2elMs!);
        expect(q.itlMs).not.toBeNull();
        // metSlo is exactly "TTFT and own ITL p90 within the SLOs".
        expect(q.metSlo).toBe(
          q.ttftMs! <= TTFT_SLO_SECONDS * 1000 && q.itlMs!.p90 <= ITL_P90_SLO_SECONDS * 1000,
        );
      }
      expect(r.request_throughput as number).toBeCloseTo(4 / seconds, 6);
      expect(r.output_throughput as number).toBeCloseTo((4 * 8) / seconds, 6);
      const good = requests.filter((q) => q.metSlo).length;
      expect(r.goodput as number).toBeCloseTo(good / seconds, 6);
      expect(r.slo_attainment).toBeCloseTo(good / 4, 9);
      expect(r.p90_ttft_ms).toBe(summary.ttft.p90);
      expect(r.p90_itl_ms).toBe(summary.itl.p90);
    }

    // Prometheus: the agent's load gauges hold the stored figures, one series per concurrency level.
    const listening = JSON.parse(agent.stdout().split('\n')[0]!) as { metrics: string };
    const metrics = await (await fetch(`http://${listening.metrics}/metrics`)).text();
    const gauge = (name: string, concurrency: unknown): number | null => {
      const line = metrics
        .split('\n')
        .find(
          (l) =>
            l.startsWith(`${name}{`) &&
            l.includes('prompt="serve"') &&
            l.includes(`concurrency="${concurrency}"`),
        );
      return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    for (const r of rows) {
      expect(gauge('rigbench_load_output_tokens_per_second', r.concurrency)).toBeCloseTo(
        r.output_throughput as number,
        6,
      );
      expect(gauge('rigbench_load_goodput_requests_per_second', r.concurrency)).toBeCloseTo(
        r.goodput as number,
        6,
      );
      expect(gauge('rigbench_load_ttft_p90_seconds', r.concurrency)).toBeCloseTo(
        (r.p90_ttft_ms as number) / 1000,
        6,
      );
    }

    // JSON report: the levels as stored.
    const json = await cli('report', runId!, '--format', 'json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as {
      load: Array<LoadLevelRecord & { agentId: string; caseId: string; model: string; backend: string }>;
      samples: unknown[];
    };
    expect(report.samples).toEqual([]);
    expect(report.load.map((l) => [l.agentId, l.model, l.backend, l.testId, l.concurrency])).toEqual([
      ['box', 'tiny', 'cpu', 'serve', 1],
      ['box', 'tiny', 'cpu', 'serve', 2],
      ['box', 'tiny', 'cpu', 'poisson', 2],
    ]);
    for (const [i, l] of report.load.slice(0, 2).entries()) {
      expect(l.summary.goodput).toBeCloseTo(rows[i]!.goodput as number, 6);
      expect(l.slo).toEqual({ ttftMs: TTFT_SLO_SECONDS * 1000, itlP90Ms: ITL_P90_SLO_SECONDS * 1000 });
      expect(l.requests).toHaveLength(4);
    }

    // Markdown: a row per level, vLLM's names in the header.
    const md = await cli('report', runId!, '--format', 'md');
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('## Serving load (concurrency sweeps)');
    // The section's answer: where the [1, 2] sweep saturates, or that it still rises (the Poisson level is alone).
    expect(md.stdout).toMatch(
      /^- box tiny cpu serve, t=1: (saturates at [12] in flight|not saturated within the sweep)/m,
    );
    expect(md.stdout).not.toMatch(/^- box tiny cpu poisson/m);
    expect(md.stdout).toMatch(/\| request throughput \(req\/s\) \| output token throughput \(tok\/s\) \|/);
    const levelRows = md.stdout.split('\n').filter((line) => line.startsWith('| box tiny cpu serve'));
    expect(levelRows.map((line) => line.split('|')[2]!.trim())).toEqual(['1', '2']);
    expect(levelRows[0]).toContain(`${(rows[0]!.goodput as number).toFixed(2)} |`);

    // HTML: one curve, a point per level, laid out by Chromium inside its box, higher throughput drawn higher.
    const html = await cli('report', runId!, '--format', 'html');
    expect(html.code).toBe(0);
    expect(html.stdout).not.toMatch(/<script|(src|href)=["']https?:/i);
    expect(CHROMIUM).toBeDefined();
    writeFileSync(join(dir, 'load-report.md'), md.stdout);
    writeFileSync(join(dir, 'load-report.html'), html.stdout);
    chromium(dir, [
      `--screenshot=${join(dir, 'load-report.png')}`,
      `file://${join(dir, 'load-report.html')}`,
    ]);
    expect(statSync(join(dir, 'load-report.png')).size).toBeGreaterThan(10_000);
    const probe = probePage<{ clipped: string[]; curves: Curve[]; pageWidth: number }>(
      dir,
      'load-report',
      html.stdout,
      CURVE_PROBE,
    );
    expect(probe.clipped).toEqual([]);
    expect(probe.pageWidth).toBeLessThanOrEqual(1280);
    expect(probe.curves.map((c) => c.title)).toEqual([
      'box tiny cpu serve, t=1',
      'box tiny cpu poisson, Poisson 20 req/s, t=1',
    ]);
    const curve = probe.curves[0]!;
    expect(curve.title).toBe('box tiny cpu serve, t=1');
    expect(curve.textsOutside).toEqual([]);
    expect(curve.points).toHaveLength(2);
    expect(curve.points[1]!.x).toBeGreaterThan(curve.points[0]!.x);
    const [t1, t2] = rows.map((r) => r.output_throughput as number);
    if (t1 !== t2) expect(curve.points[1]!.y < curve.points[0]!.y).toBe(t2! > t1!);

    agent.child.kill('SIGTERM');
    expect((await agent.done).code).toBe(0);
    agent = undefined;
  }, 600_000);
});
