import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { synthesizeGguf, type Backend, BACKENDS, type SynthTensorType } from '@rigbench/shared';
import type { CliDeps } from '../cli/command-context.js';
import { ExitCode } from '../cli/exit-codes.js';
import type { Output } from '../cli/output.js';
import { AgentClient } from '../fleet/agent-client.js';
import { demoPlanYaml } from './demo-plan.js';
import { startLocalAgent, type LocalAgent } from './local-agent.js';
import { startLocalNatsServer, type LocalNatsServer } from './local-nats-server.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where the self-contained HTML report is written. */
  reportFile: string;
  /** Measured repetitions per case and round. */
  repetitions: number;
  /** Keep the temporary directory (models, store, logs) instead of removing it. */
  keep: boolean;
}

/** Runs the `rigbench` CLI in-process with `args`, printing to `output`; resolves to its exit code. */
export type CliInvoker = (args: string[], output: Output) => Promise<number>;

const DEMO_SELECTOR = { demo: 'yes' };
const MORNING_SMALL_TYPE: SynthTensorType = 'f16';
const NIGHT_SMALL_TYPE: SynthTensorType = 'q8_0';

/** An output that passes everything through and remembers the run id `rigbench run` prints. */
function capturingOutput(output: Output): { output: Output; lastRunId: () => string | undefined } {
  let runId: string | undefined;
  return {
    output: {
      ...output,
      line: (text = '') => {
        const match = /^run (\S+)$/.exec(text);
        if (match) runId = match[1];
        output.line(text);
      },
    },
    lastRunId: () => runId,
  };
}

async function writeSynthModel(
  modelsDir: string,
  file: string,
  preset: 'tiny' | 'small',
  type: SynthTensorType,
  signal: AbortSignal,
): Promise<string> {
  const result = await synthesizeGguf({ outFile: join(modelsDir, file), preset, type, seed: 1, signal });
  return `${file} (${preset}, ${type}, ${(result.sizeBytes / 1e6).toFixed(1)} MB, sha256 ${result.sha256.slice(0, 12)}…)`;
}

async function availableBackends(agent: LocalAgent): Promise<Backend[]> {
  const client = new AgentClient(
    { agentId: agent.id, address: agent.grpcAddress },
    { deadlineMs: 30_000, keepaliveMs: 120_000 },
  );
  try {
    const info = await client.getInfo();
    return info.backends.filter((b): b is Backend => (BACKENDS as readonly string[]).includes(b));
  } finally {
    client.close();
  }
}

/**
 * The whole system on one machine: a nats-server with JetStream, two agents with different labels, synthetic
 * models, the seed-shaped plan in two rounds ("morning" and "night", with the small model's file silently
 * replaced by another quantization in between, as happens when a download or an update lands), then the
 * report, the verdicts, the comparison that names what changed, and the trend that finds the step and names
 * its cause (with tokens per joule where a power source is readable). Everything lives in a temporary directory
 * that is removed at the end, Ctrl-C included; only the HTML report stays.
 */
export async function runDemo(deps: CliDeps, options: DemoOptions, cli: CliInvoker): Promise<number> {
  const { output, signal } = deps;
  const workDir = mkdtempSync(join(tmpdir(), 'rigbench-demo-'));
  const modelsDir = join(workDir, 'models');
  mkdirSync(modelsDir);
  const started: { nats?: LocalNatsServer; agents: LocalAgent[] } = { agents: [] };
  const step = (text: string): void => output.note(`\n== ${text}`);
  try {
    step('starting nats-server with JetStream');
    mkdirSync(join(workDir, 'nats'));
    started.nats = await startLocalNatsServer(join(workDir, 'nats'), signal);
    output.note(`   ${started.nats.url} (store ${join(workDir, 'nats')})`);

    step('writing synthetic GGUF models (no download)');
    output.note(`   ${await writeSynthModel(modelsDir, 'synth-tiny.gguf', 'tiny', 'f16', signal)}`);
    output.note(
      `   ${await writeSynthModel(modelsDir, 'synth-small.gguf', 'small', MORNING_SMALL_TYPE, signal)}`,
    );

    step('starting two agents on loopback');
    const natsUrl = started.nats.url;
    const specs = [
      { id: 'node-a', labels: { ...DEMO_SELECTOR, box: 'desk' } },
      { id: 'node-b', labels: { ...DEMO_SELECTOR, box: 'rack' } },
    ];
    for (const spec of specs) {
      const stateDir = join(workDir, spec.id);
      mkdirSync(stateDir);
      const agent = await startLocalAgent({ ...spec, natsUrl, modelsDir, stateDir, signal });
      started.agents.push(agent);
      output.note(
        `   ${agent.id}: gRPC ${agent.grpcAddress}, metrics http://${agent.metricsAddress}/metrics`,
      );
    }
    const backends = await availableBackends(started.agents[0]!);
    output.note(`   backends on this machine: ${backends.join(', ')}`);

    const planFile = join(workDir, 'seed-demo.yaml');
    writeFileSync(
      planFile,
      demoPlanYaml({
        name: 'seed-demo',
        models: [
          { id: 'tiny', file: 'synth-tiny.gguf' },
          { id: 'small', file: 'synth-small.gguf' },
        ],
        backends,
        threads: 1,
        repetitions: options.repetitions,
        selector: DEMO_SELECTOR,
      }),
    );
    const captured = capturingOutput(output);
    const storeFile = join(workDir, 'rigbench.db');
    const rigbench = async (...args: string[]): Promise<number> => {
      const code = await cli(['--store', storeFile, '--nats', natsUrl, ...args], captured.output);
      signal.throwIfAborted();
      if (code !== ExitCode.ok && args[0] !== 'run')
        throw new Error(`rigbench ${args[0]} ended with exit code ${code}`);
      return code;
    };
    const runRound = async (label: string): Promise<string> => {
      step(`round "${label}": rigbench run seed-demo.yaml --label ${label}`);
      const code = await rigbench('run', planFile, '--label', label);
      const runId = captured.lastRunId();
      // A failed case (exit 5) is part of the answer: the report shows it with its reason; the demo goes on.
      const finished = code === ExitCode.ok || code === ExitCode.casesFailed;
      if (!finished || !runId) throw new Error(`the ${label} round ended with exit code ${code}`);
      return runId;
    };

    step('rigbench plan check');
    await rigbench('plan', 'check', planFile);
    const morning = await runRound('morning');

    step(
      `between the rounds, synth-small.gguf is replaced by a ${NIGHT_SMALL_TYPE} file under the same name`,
    );
    output.note(
      `   ${await writeSynthModel(modelsDir, 'synth-small.gguf', 'small', NIGHT_SMALL_TYPE, signal)}`,
    );
    const night = await runRound('night');

    step(`rigbench report ${morning} ${night}  (rounds side by side, as in the seed's post)`);
    await rigbench('report', morning, night, '--format', 'md');
    step(`rigbench compare ${morning} --by model  (which model is faster here, and how sure)`);
    await rigbench('compare', morning, '--by', 'model');
    step(`rigbench compare ${morning} --by agent  (two identical nodes: noise, not a difference)`);
    await rigbench('compare', morning, '--by', 'agent');
    step(`rigbench compare ${morning} ${night}  (what changed between morning and night, and why)`);
    await rigbench('compare', morning, night);
    step('rigbench trend --brief  (drift over the rounds: the change points, their size and what changed)');
    await rigbench('trend', '--brief');
    step('rigbench trend --metric tpj --brief  (decode tokens per joule, or why this machine measures none)');
    await rigbench('trend', '--metric', 'tpj', '--brief');

    const reportFile = resolve(deps.cwd, options.reportFile);
    step('writing the HTML report');
    await rigbench('report', morning, night, '--format', 'html', '--out', reportFile);
    output.line(`\nHTML report: ${reportFile}`);
    output.line(
      'Next: an agent on each GPU box, the controller here — see README "From the demo to real nodes".',
    );
    return ExitCode.ok;
  } finally {
    step('shutting down');
    await Promise.all(started.agents.map((a) => a.stop()));
    await started.nats?.stop();
    if (options.keep) output.note(`   kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}
