import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { BACKENDS, KV_CACHE_TYPES, type Backend, type GpuLayers, type KvCacheType } from '@rigbench/shared';
import { preflight } from '../dispatch/dispatch-run.js';
import { resolveTargets } from '../dispatch/resolve-targets.js';
import { fleetView } from '../fleet/fleet-view.js';
import { buildRunDataset } from '../store/build-run-dataset.js';
import {
  blocksOf,
  candidatesOf,
  threadCandidates,
  tunePlan,
  caseCandidate,
  decideRound,
  renderTuneResult,
  tuneAgentDefaultsYaml,
  tunePlanFragmentYaml,
  tuneResultJson,
  type TuneCandidate,
  type TuneDecision,
  type TuneMetric,
  type TuneSpace,
  type TuneWorkload,
} from '../tune/index.js';
import type { ActionBinder } from '../cli/action-binder.js';
import type { CommandContext } from '../cli/command-context.js';
import { ExitCode, UsageError } from '../cli/exit-codes.js';
import { clientFor, recordingHeartbeats } from '../cli/fleet-access.js';
import { followRun } from '../cli/follow-run.js';
import { preflightDeadlineMs, startPlanRun } from '../cli/dispatch-plan.js';
import { parseList, parsePositiveInt } from '../cli/arg-parsers.js';

/** A list option that replaces its default (commander would otherwise append to it), without duplicates. */
const listOption = (value: string): string[] => [...new Set(parseList(value))];

interface TuneOptions {
  model: string;
  backend: string;
  threads?: string[];
  batchSize: string[];
  flashAttention: string[];
  kvCacheType: string[];
  gpuLayers: string[];
  promptTokens: number;
  genTokens: number;
  repetitions: number;
  maxRounds: number;
  tolerance: number;
  planOut?: string;
  defaultsOut?: string;
  json?: boolean;
}

const ints = (flag: string, values: readonly string[]): number[] =>
  values.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: '${v}' is not a positive integer`);
    return n;
  });

function parseSpace(opts: TuneOptions, cores: { physical: number; logical: number }): TuneSpace {
  if (!(BACKENDS as readonly string[]).includes(opts.backend))
    throw new UsageError(`--backend: '${opts.backend}' is not one of ${BACKENDS.join(', ')}`);
  const threads = opts.threads
    ? ints('--threads', opts.threads)
    : threadCandidates(cores.physical, cores.logical);
  const tooMany = threads.filter((t) => t > cores.logical);
  if (tooMany.length > 0)
    throw new UsageError(
      `--threads: ${tooMany.join(', ')} exceed the agent's ${cores.logical} logical cores`,
    );
  const flashAttention = opts.flashAttention.map((v) => {
    if (v === 'on' || v === 'off') return v === 'on';
    throw new UsageError(`--flash-attention: '${v}' is not on or off`);
  });
  const kvCacheType = opts.kvCacheType.map((v) => {
    if ((KV_CACHE_TYPES as readonly string[]).includes(v)) return v as KvCacheType;
    throw new UsageError(`--kv-cache-type: '${v}' is not one of ${KV_CACHE_TYPES.join(', ')}`);
  });
  const gpuLayers: GpuLayers[] =
    opts.backend === 'cpu'
      ? [0]
      : opts.gpuLayers.map((v) => (v === 'max' ? 'max' : ints('--gpu-layers', [v])[0]!));
  return {
    backend: opts.backend as Backend,
    threads,
    batchSize: ints('--batch-size', opts.batchSize),
    flashAttention,
    kvCacheType,
    gpuLayers,
  };
}

export function registerTuneCommand(program: Command, bind: ActionBinder): void {
  program
    .command('tune')
    .description(
      'find the fastest settings for one model on one agent: threads, batch size, flash attention, KV cache type ' +
        '(and GPU layers on GPU backends), measured through real runs with successive halving: each round ' +
        'doubles the repetitions of the candidates still open and drops those whose 95% CI lies below the ' +
        "leader's; prints the ranking and writes a plan fragment and agent defaults (exit 0 settled, 4 not " +
        'settled within --max-rounds, 1 a run failed)',
    )
    .argument('<agent>', 'agent id')
    .requiredOption(
      '--model <source>',
      "model file as the agent's models directory names it (e.g. llama-8b.gguf)",
    )
    .option('--backend <backend>', `one of ${BACKENDS.join(', ')}`, 'cpu')
    .option(
      '--threads <list>',
      'thread counts to try (default: 1, powers of two, the core counts)',
      listOption,
    )
    .option('--batch-size <list>', 'batch sizes to try', listOption, ['256', '512'])
    .option('--flash-attention <list>', 'on, off or both', listOption, ['off', 'on'])
    .option(
      '--kv-cache-type <list>',
      'KV cache types to try (quantized types are tried with flash attention only)',
      listOption,
      ['f16', 'q8_0'],
    )
    .option('--gpu-layers <list>', 'GPU layer counts to try on GPU backends (max or numbers)', listOption, [
      'max',
    ])
    .option(
      '--prompt-tokens <n>',
      'tokens of the prompt-processing test (llama-bench -p)',
      parsePositiveInt,
      512,
    )
    .option('--gen-tokens <n>', 'tokens of the decode test (llama-bench -n)', parsePositiveInt, 128)
    .option(
      '--repetitions <n>',
      'repetitions per candidate in the first round (doubled each round)',
      parsePositiveInt,
      3,
    )
    .option('--max-rounds <n>', 'rounds at most', parsePositiveInt, 3)
    .option(
      '--tolerance <percent>',
      'candidates within this much of the best count as equally good',
      (v) => {
        const n = Number(v);
        if (!(n >= 0 && n < 100))
          throw new InvalidArgumentError(`expected a percentage in [0, 100), got '${v}'`);
        return n;
      },
      5,
    )
    .option('--plan-out <file>', 'write the best settings as a plan matrix fragment (YAML)')
    .option('--defaults-out <file>', "write agent defaults for threads 'auto' (rigbench-agent config YAML)")
    .option('--json', 'print the result as JSON')
    .action(bind(async (ctx, agentId: string, opts: TuneOptions) => tune(ctx, agentId, opts)));
}

async function tune(ctx: CommandContext, agentId: string, opts: TuneOptions): Promise<number> {
  const { output, store, config } = ctx;
  const progress = (text: string): void => output.note(text);
  const nc = await ctx.nats();
  const heartbeats = recordingHeartbeats(ctx, nc);
  try {
    if (!config.agents.some((a) => a.id === agentId))
      await heartbeats.waitFor([agentId], config.fleet.listenMs, ctx.signal);
    const fleet = fleetView(config, heartbeats.snapshot(), store.storedAgents());
    const { targets, skipped } = resolveTargets(fleet, { agents: [agentId], selector: {} });
    for (const s of skipped) throw new UsageError(`agent ${s.agentId}: ${s.why}`);
    const [ready] = await preflight(
      targets,
      (t) => clientFor(ctx, t.agent.endpoint),
      progress,
      preflightDeadlineMs(ctx),
    );
    ready?.client.close();
    const hardware = ready?.info.hardware;
    const cores = { physical: hardware?.physical_cores || 1, logical: hardware?.logical_cores || 1 };
    const space = parseSpace(opts, cores);
    if (!ready?.info.backends.includes(space.backend))
      throw new UsageError(
        `agent ${agentId} has no usable ${space.backend} backend (it has: ${ready?.info.backends.join(', ') || 'none'})`,
      );
    const workload: TuneWorkload = {
      agentId,
      backend: space.backend,
      model: opts.model,
      promptTokens: opts.promptTokens,
      generatedTokens: opts.genTokens,
      repetitions: opts.repetitions,
    };
    const candidates = candidatesOf(space);
    if (candidates.length === 0) throw new UsageError('no valid combination of the given settings');

    const figures: Record<TuneMetric, Map<string, number[]>> = { decode: new Map(), prompt: new Map() };
    const failures = new Map<string, string>();
    let open: TuneCandidate[] = candidates;
    let decision: TuneDecision | null = null;
    let rounds = 0;
    const runIds: string[] = [];
    for (let round = 1; round <= opts.maxRounds && open.length > 0; round++) {
      rounds = round;
      const repetitions = opts.repetitions * 2 ** (round - 1);
      progress(`tune round ${round}: ${open.length} candidates x ${repetitions} repetitions`);
      for (const block of blocksOf(open)) {
        const plan = tunePlan({ ...workload, repetitions }, block, round);
        const started = await startPlanRun(ctx, nc, targets, plan, { label: `tune-r${round}` });
        runIds.push(started.runId);
        const code = await followRun(ctx, nc, heartbeats, started.runId, started.agents, { print: progress });
        if (code === ExitCode.interrupted) return code;
        collectFigures(ctx, started.runId, figures, failures);
        if (code !== ExitCode.ok) {
          output.note(`error: tune run ${started.runId} is incomplete; see rigbench report ${started.runId}`);
          return ExitCode.failure;
        }
      }
      decision = decideRound(
        figures,
        open.map((c) => c.key),
        { tolerance: opts.tolerance / 100 },
      );
      if (decision.settled) break;
      const keep = new Set(decision.open);
      open = candidates.filter((c) => keep.has(c.key) && !failures.has(c.key));
    }
    if (decision === null) throw new Error('tune measured nothing');
    const result = {
      ...{ agentId, workload, candidates, decision, rounds, runIds, tolerance: opts.tolerance },
      failures: [...failures].map(([key, reason]) => ({ key, reason })),
    };
    if (opts.planOut) writeFileSync(opts.planOut, tunePlanFragmentYaml(result));
    if (opts.defaultsOut) writeFileSync(opts.defaultsOut, tuneAgentDefaultsYaml(result));
    if (opts.json) output.json(tuneResultJson(result));
    else for (const line of renderTuneResult(result)) output.line(line);
    return decision.settled ? ExitCode.ok : ExitCode.incomplete;
  } finally {
    await heartbeats.stop();
  }
}

/**
 * Adds the t/s of every stored sample of a tune run to its candidate's figures, and the reason of every case
 * that failed or was skipped to `failures` (such a candidate is out of the search, and the output says why).
 */
function collectFigures(
  ctx: CommandContext,
  runId: string,
  figures: Record<TuneMetric, Map<string, number[]>>,
  failures: Map<string, string>,
): void {
  const dataset = buildRunDataset(ctx.store, runId);
  const cases = new Map(dataset.cases.map((c) => [`${c.agentId}/${c.caseId}`, c.benchCase]));
  for (const c of dataset.cases) {
    if (c.outcome === null || c.outcome === 'ok') continue;
    const threads = typeof c.benchCase.threads === 'number' ? c.benchCase.threads : 0;
    const where = caseCandidate(c.benchCase, c.fingerprint?.threads ?? threads);
    if (where) failures.set(where.key, `${c.outcome}: ${c.reason ?? 'no reason given'}`);
  }
  for (const { agentId, caseId, sample } of dataset.samples) {
    const benchCase = cases.get(`${agentId}/${caseId}`);
    const where = benchCase ? caseCandidate(benchCase, sample.threads) : null;
    if (!where) continue;
    const value = where.metric === 'decode' ? sample.decodeTokensPerSecond : sample.promptTokensPerSecond;
    if (!(value > 0)) continue;
    const list = figures[where.metric].get(where.key) ?? [];
    list.push(value);
    figures[where.metric].set(where.key, list);
  }
}
