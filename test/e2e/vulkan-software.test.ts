/**
 * Vulkan for real, without a GPU: Mesa's llvmpipe (Debian `mesa-vulkan-drivers`) through the built agent, NATS, the
 * store and the report. llvmpipe compiles ggml's shaders on first use (minutes on a loaded CI machine); Mesa's shader
 * cache lives in this test's temp dir and the first opted-in run warms it, so the second one shows the warm cost.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fingerprint } from '@rigbench/shared';
import { tinyModelSource } from '../support/tiny-model-plan.js';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.js';
import { assertBuilt, builtCli, startAgentProcess, type RunningProcess } from '../support/binaries.js';

interface ReportCase {
  caseId: string;
  outcome: string;
  reason?: string;
  benchCase: { backend: string };
  fingerprint: Fingerprint | null;
}
interface JsonReport {
  runs: { cases: ReportCase[] }[];
  groups: { backend: string; test: string; n: number }[];
}

const plan = (allowSoftwareDevices: boolean): string => `
version: 1
name: vulkan-software-${allowSoftwareDevices ? 'on' : 'off'}
models:
  - { id: tiny, source: MODEL }
prompts:
  chat:
    - { id: q1, text: "hello" }
  raw:
    - { id: pp16-tg8, promptTokens: 16, generatedTokens: 8 }
matrix:
  backend: [cpu, vulkan]
  threads: [1]
  contextSize: [128]
  batchSize: [64]
generation:
  maxTokens: 8
  ignoreEos: true
warmup: 1
repetitions: 2
targets:
  agents: [box-vk]
${allowSoftwareDevices ? 'allowSoftwareDevices: true\n' : ''}`;

const LLVMPIPE = /llvmpipe \(LLVM [^)]*\)/;

describe('vulkan on llvmpipe end to end (built binaries, real nats-server, Mesa software Vulkan)', () => {
  let dir: string;
  let nats: NatsServerHandle;
  let agent: RunningProcess | undefined;
  let cli: ReturnType<typeof builtCli>;
  let planFile: (allow: boolean) => string;

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rigbench-vulkan-'));
    nats = await startNatsServer();
    const modelsDir = join(dir, 'models');
    const source = await tinyModelSource(modelsDir);
    planFile = (allow) => {
      const file = join(dir, `plan-${allow ? 'on' : 'off'}.yaml`);
      writeFileSync(file, plan(allow).replace('MODEL', source));
      return file;
    };
    const store = join(dir, 'rigbench.db');
    cli = builtCli(store, nats.url);
    mkdirSync(join(dir, 'box-vk'));
    agent = await startAgentProcess({
      id: 'box-vk',
      natsUrl: nats.url,
      modelsDir,
      outboxDir: join(dir, 'box-vk', 'outbox'),
      env: {
        // Mesa's on-disk shader cache, kept inside the test; 64 MiB is far more than ggml's shaders take.
        MESA_SHADER_CACHE_DIR: join(dir, 'mesa-shader-cache'),
        MESA_SHADER_CACHE_MAX_SIZE: '64M',
      },
    });
  }, 120_000);

  afterAll(async () => {
    agent?.child.kill('SIGKILL');
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('info - the device table lists llvmpipe as a software Vulkan device and says why vulkan is not available', async () => {
    const info = await cli('info', 'box-vk');
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/ {2}backends {2}cpu\n/);
    expect(info.stdout).toMatch(
      /no vulkan +vulkan: the loader found only llvmpipe .*, a software device; allow software devices in the plan \(allowSoftwareDevices: true\) to benchmark it/,
    );
    expect(info.stdout).toMatch(/vulkan +0 +llvmpipe \(LLVM [^)]*\) +software +/);
  }, 120_000);

  test('a plan without allowSoftwareDevices skips the vulkan cases with the reason; cpu runs', async () => {
    const run = await cli('run', planFile(false), '--label', 'off');
    const runId = /^run (\S+)$/m.exec(run.stdout)?.[1];
    expect({ runId, stderr: run.stderr.slice(-2000) }).toEqual({
      runId: expect.any(String),
      stderr: expect.any(String),
    });
    const report = JSON.parse((await cli('report', runId!, '--format', 'json')).stdout) as JsonReport;
    const cases = report.runs[0]!.cases;
    expect(cases.map((c) => [c.benchCase.backend, c.outcome])).toEqual([
      ['cpu', 'ok'],
      ['cpu', 'ok'],
      ['vulkan', 'skipped'],
      ['vulkan', 'skipped'],
    ]);
    for (const c of cases.filter((c) => c.benchCase.backend === 'vulkan')) {
      expect(c.reason).toMatch(
        /vulkan: the loader found only llvmpipe .*, a software device; allow software devices in the plan \(allowSoftwareDevices: true\) to benchmark it/,
      );
      expect(c.fingerprint).toBeNull();
    }
    // The skipped cases' groups hold no sample: no figure is labelled vulkan.
    const vulkanGroups = report.groups.filter((g) => g.backend.startsWith('vulkan'));
    expect(vulkanGroups.map((g) => [g.backend, g.n])).toEqual([
      ['vulkan', 0],
      ['vulkan', 0],
    ]);
  }, 300_000);

  test('with allowSoftwareDevices: vulkan offloads every layer onto llvmpipe, marked software in fingerprint and reports', async () => {
    const timedRun = async (label: string): Promise<{ runId: string; seconds: number }> => {
      const started = performance.now();
      const run = await cli('run', planFile(true), '--label', label);
      const seconds = (performance.now() - started) / 1000;
      expect({ code: run.code, stderr: run.stderr.slice(-2000) }).toEqual({
        code: 0,
        stderr: expect.any(String),
      });
      expect(run.stdout).toMatch(/box-vk: complete, 4\/4 cases, 8 samples/);
      return { runId: /^run (\S+)$/m.exec(run.stdout)![1]!, seconds };
    };
    // The first run compiles llvmpipe's shaders into the cache (cold); the second finds them there (warm).
    const cold = await timedRun('cold');
    const warm = await timedRun('warm');
    process.stderr.write(
      `vulkan-software e2e: plan run with a cold Mesa shader cache ${cold.seconds.toFixed(1)} s, warm ${warm.seconds.toFixed(1)} s\n`,
    );

    const report = JSON.parse((await cli('report', warm.runId, '--format', 'json')).stdout) as JsonReport;
    const vulkanCases = report.runs[0]!.cases.filter((c) => c.benchCase.backend === 'vulkan');
    expect(vulkanCases).toHaveLength(2);
    for (const c of vulkanCases) {
      expect(c.outcome).toBe('ok');
      const fp = c.fingerprint!;
      expect(fp.backend).toBe('vulkan');
      expect(fp.gpus).toEqual([
        expect.objectContaining({ index: 0, name: expect.stringMatching(LLVMPIPE), kind: 'software' }),
      ]);
      expect(fp.offload!.requestedLayers).toBe('max');
      expect(fp.offload!.totalLayers).toBeGreaterThan(0);
      expect(fp.offload!.offloadedLayers).toBe(fp.offload!.totalLayers);
    }
    for (const c of report.runs[0]!.cases.filter((c) => c.benchCase.backend === 'cpu')) {
      expect(c.fingerprint!.gpus).toEqual([]);
      expect(c.fingerprint!.offload).toBeUndefined();
    }
    const backends = new Set(report.groups.map((g) => g.backend));
    expect(backends).toEqual(new Set(['cpu', 'vulkan (software)']));
    for (const g of report.groups) expect(g.n).toBe(2);

    // Metrics: the vulkan samples are labelled software, and so is the device.
    const listening = JSON.parse(agent!.stdout().split('\n')[0]!) as { metrics: string };
    const metrics = await (await fetch(`http://${listening.metrics}/metrics`)).text();
    expect(metrics).toMatch(
      /rigbench_decode_tokens_per_second_count\{[^}]*backend="vulkan \(software\)"[^}]*\} [1-9]/,
    );
    // Plain `vulkan` appears only on the cases the plan without the opt-in skipped: no figure carries it.
    expect(metrics).not.toMatch(/rigbench_\w+_(count|sum)\{[^}]*backend="vulkan"[,}]/);
    expect(metrics).toMatch(/rigbench_cases_total\{[^}]*backend="vulkan",[^}]*outcome="skipped"\} 1/);
    expect(metrics).toMatch(/rigbench_gpu_info\{[^}]*name="llvmpipe[^"]*",kind="software"\} 1/);

    // Markdown: the seed table and the group tables compare cpu with the marked vulkan rows.
    const markdown = await cli('report', cold.runId, warm.runId, '--format', 'md');
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toMatch(/\| cpu \| tiny \|/);
    expect(markdown.stdout).toMatch(/\| vulkan \(software\) \| tiny \|/);
    expect(markdown.stdout).not.toMatch(/\| vulkan \| tiny \|/);
    // The answer on top sets cpu against software vulkan (two runs: two rounds a side).
    const answer = markdown.stdout.slice(markdown.stdout.indexOf('## The answer'));
    const answerSection = answer.slice(
      0,
      answer.indexOf('\n## ', 3) > 0 ? answer.indexOf('\n## ', 3) : undefined,
    );
    expect(answerSection).toMatch(/cpu/);
    expect(answerSection).toMatch(/vulkan/);
    // compare within a run by backend matches cpu with vulkan although the backend implies other GPU layers.
    const byBackend = await cli('compare', warm.runId, '--by', 'backend');
    expect(byBackend.stdout).not.toContain('No matching groups');
    expect(byBackend.stdout).toMatch(/Held fixed/);
    expect(byBackend.stdout).toMatch(/vulkan \(software\)/);
  }, 900_000);
});
