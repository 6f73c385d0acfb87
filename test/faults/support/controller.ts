/**
 * The controller side of the cross-process scenarios: the environment the `rigbench` CLI reads, a long-running
 * `rigbench collect` process, detached dispatch through `rigbench run`, and a WatchRun follower that counts what
 * the agent produced (independent of NATS, so it is the ground truth to compare the store against).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { AgentRpc, RigbenchEvent, RunFinishedEvent } from '@rigbench/shared';
import { stringify } from 'yaml';
import { agentClient } from '../../support/agent-harness.js';
import { eventually } from '../../support/eventually.js';
import { CLI_MAIN, cli, spawnNode, type Proc } from './processes.js';

/** Where a scenario's controller keeps its store, and the environment every `rigbench` call gets. */
export interface ControllerSetup {
  storePath: string;
  env: Record<string, string>;
  dir: string;
}

export function controllerSetup(
  natsUrl: string,
  agents: ReadonlyArray<{ id: string; address: string }>,
  extra: Record<string, string> = {},
): ControllerSetup {
  const dir = mkdtempSync(join(tmpdir(), 'rigbench-faults-controller-'));
  const storePath = join(dir, 'rigbench.db');
  return {
    dir,
    storePath,
    env: {
      RIGBENCH_NATS_SERVERS: natsUrl,
      RIGBENCH_STORE: storePath,
      RIGBENCH_AGENTS: JSON.stringify(agents),
      // Redeliver unacknowledged events soon after a collector is killed, so the scenario does not wait 30 s.
      RIGBENCH_COLLECTOR_ACK_WAIT_SECONDS: '3',
      ...extra,
    },
  };
}

/** Starts `rigbench collect` and resolves once it is consuming. */
export async function startCollector(setup: ControllerSetup): Promise<Proc> {
  const proc = spawnNode(CLI_MAIN, ['collect', '--stats-every', '1'], setup.env);
  await eventually(
    () => {
      if (proc.child.exitCode !== null) throw new Error(`rigbench collect exited:\n${proc.stderr()}`);
      return /\bcollecting\b/.test(proc.stderr());
    },
    { timeoutMs: 20_000, description: 'rigbench collect consuming' },
  );
  return proc;
}

/** The last value of `key=` in the collector's totals lines (e.g. `duplicates`), 0 when never logged. */
export function collectorTotal(collector: Proc, key: string): number {
  const matches = [...collector.stderr().matchAll(new RegExp(`\\b${key}=(\\d+)`, 'g'))];
  return Number(matches.at(-1)?.[1] ?? 0);
}

/**
 * A CPU plan on the tiny model: `rawPrompts` llama-bench style cases of `repetitions` samples each, generating
 * `generatedTokens` tokens per sample (64 by default: a few tens of milliseconds per sample on one thread).
 */
export function writePlan(
  dir: string,
  name: string,
  model: string,
  {
    rawPrompts,
    repetitions,
    generatedTokens = 64,
  }: { rawPrompts: number; repetitions: number; generatedTokens?: number },
): string {
  const plan = {
    version: 1,
    name,
    models: [{ id: 'tiny', source: model }],
    prompts: {
      raw: Array.from({ length: rawPrompts }, (_, i) => ({
        id: `pp${16 + i}-tg${generatedTokens}`,
        promptTokens: 16 + i,
        generatedTokens,
      })),
    },
    matrix: { backend: ['cpu'], threads: [1], contextSize: [256], batchSize: [64] },
    warmup: 0,
    repetitions,
  };
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(plan));
  return file;
}

/** `rigbench run PLAN --agents ID --detach`: dispatches through the real CLI and returns the run id. */
export function dispatch(setup: ControllerSetup, planFile: string, agentId: string): string {
  const result = cli(['run', planFile, '--agents', agentId, '--detach'], setup.env);
  const runId = /^run (\S+)$/m.exec(result.stdout)?.[1];
  if (result.status !== 0 || runId === undefined) {
    throw new Error(`rigbench run failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return runId;
}

/** Follows a run over WatchRun: what the agent produced, whatever happens to NATS or the controller. */
export interface RunWatch {
  events: RigbenchEvent[];
  samples(): number;
  casesStarted(): number;
  lastSeq(): number;
  /** Resolves with run.finished; rejects when the stream fails (e.g. the agent was killed). */
  finished: Promise<RunFinishedEvent>;
  close(): void;
}

export function watchRun(grpcAddress: string, runId: string): RunWatch {
  const client = agentClient(grpcAddress);
  const events: RigbenchEvent[] = [];
  const stream: ClientReadableStream<AgentRpc.RunUpdate__Output> = client.WatchRun({
    run_id: runId,
    from_seq: 1,
  });
  const finished = new Promise<RunFinishedEvent>((resolve, reject) => {
    stream.on('data', (update: AgentRpc.RunUpdate__Output) => {
      const event = JSON.parse(update.event_json) as RigbenchEvent;
      events.push(event);
      if (event.type === 'run.finished') resolve(event);
    });
    stream.on('error', reject);
    stream.on('end', () => reject(new Error(`WatchRun ${runId} ended without run.finished`)));
  });
  finished.catch(() => undefined);
  return {
    events,
    samples: () => events.filter((e) => e.type === 'sample.recorded').length,
    casesStarted: () => events.filter((e) => e.type === 'case.started').length,
    lastSeq: () => events.at(-1)?.seq ?? 0,
    finished,
    close: () => {
      stream.cancel();
      client.close();
    },
  };
}
