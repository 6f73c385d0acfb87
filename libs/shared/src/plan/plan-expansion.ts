/**
 * Expanding a plan into the cases a run executes, in an order that loads each model as few times as possible,
 * and summarising the result for `rigbench plan check`.
 */
import { SeededRandom } from '../random/seeded-random.js';
import type { Backend, BenchCase, BenchPlan, CaseWorkload, GpuLayers, LoadSettings } from './plan-model.js';

/**
 * A string equal for two cases exactly when they can share one loaded model (one worker): same model, backend,
 * device set, GPU layer count and llama.cpp build.
 */
export function loadSettingsKey(settings: LoadSettings): string {
  return JSON.stringify([
    settings.model.id,
    settings.model.source,
    settings.backend,
    settings.devices,
    settings.gpuLayers,
    settings.build ?? 'prebuilt',
  ]);
}

/** The load settings a (model, backend, devices, gpuLayers) point really runs with. */
function effectiveLoad(load: LoadSettings): LoadSettings {
  // The CPU backend uses no GPU: every device set and layer count means the same load, so they collapse
  // into one (devices [], gpuLayers 0) instead of repeating identical cases.
  return load.backend === 'cpu' ? { ...load, devices: [], gpuLayers: 0 } : load;
}

function workloads(plan: BenchPlan): CaseWorkload[] {
  return [
    ...plan.prompts.chat.map((prompt): CaseWorkload => ({ mode: 'chat', prompt })),
    ...plan.prompts.raw.map((test): CaseWorkload => ({ mode: 'raw', test })),
    // One case per concurrency level of a load test (each level gets a context with that many sequences).
    ...(plan.prompts.load ?? []).flatMap((test) =>
      test.concurrency.map((concurrency): CaseWorkload => ({ mode: 'load', test, concurrency })),
    ),
  ];
}

/** Chat prompts, raw tests and load levels of a plan: the workloads every matrix point runs. */
const workloadCount = (plan: BenchPlan): number =>
  plan.prompts.chat.length +
  plan.prompts.raw.length +
  (plan.prompts.load ?? []).reduce((sum, test) => sum + test.concurrency.length, 0);

/** `q1`, `pp512`, `serve-conc4` (a load level: the test id and its concurrency). */
const workloadId = (workload: CaseWorkload): string =>
  workload.mode === 'chat'
    ? workload.prompt.id
    : workload.mode === 'raw'
      ? workload.test.id
      : `${workload.test.id}-conc${workload.concurrency}`;

const devicesPart = (devices: readonly number[]): string =>
  devices.length === 0 ? '' : `-d${devices.join('_')}`;
const gpuLayersPart = (layers: GpuLayers): string => `ngl${layers}`;

/**
 * How many cases {@link expandPlan} would produce, computed from the axis lengths alone (O(axes), no expansion),
 * so a caller can refuse a plan with millions of cases before allocating any of them. Exact: axis values are
 * distinct and model ids unique, so the only collapse is the CPU backend's single load per model.
 */
export function countPlanCases(plan: BenchPlan): number {
  const { matrix } = plan;
  const loadsPerModel = matrix.backend.reduce(
    (sum, backend) => sum + (backend === 'cpu' ? 1 : matrix.devices.length * matrix.gpuLayers.length),
    0,
  );
  return (
    plan.models.length *
    loadsPerModel *
    matrix.build.length *
    matrix.contextSize.length *
    matrix.batchSize.length *
    matrix.flashAttention.length *
    matrix.kvCacheType.length *
    matrix.threads.length *
    workloadCount(plan)
  );
}

/**
 * The plan's cases: the cartesian product of models × prompts (chat, then raw) × matrix axes, ordered so that
 * cases sharing load settings (model, backend, devices, gpuLayers) are consecutive, then by context settings
 * (contextSize, batchSize, flashAttention, kvCacheType, threads), prompts innermost. On the CPU backend the
 * device sets and GPU layer counts collapse into one load (devices `[]`, gpuLayers 0).
 *
 * `caseId` is `c<index>-<model>-<backend>[-d<devices>]-<prompt>`, followed by the values of any other axis the
 * plan varies (e.g. `-c4096-tauto`); it is unique and the same for the same plan. With `rounds:` above 1 every
 * case runs once per round (`-r1`, `-r2`, … and `round`); `order: interleaved` shuffles each round (seeded).
 */
export function expandPlan(plan: BenchPlan): BenchCase[] {
  return inRounds(plan, expandOneRound(plan));
}

/** Fisher–Yates with a seeded generator: the same plan gives the same order everywhere. */
function shuffle<T>(items: T[], random: SeededRandom): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * One round in `interleaved` order: the load groups (consecutive cases sharing a model load) in a seeded random
 * order, and the cases inside each group too, so a model is loaded once per group and round, as in plan order.
 */
function interleaved(cases: readonly BenchCase[], random: SeededRandom): BenchCase[] {
  const groups: BenchCase[][] = [];
  for (const c of cases) {
    const last = groups.at(-1);
    if (last && loadSettingsKey(last[0]!) === loadSettingsKey(c)) last.push(c);
    else groups.push([c]);
  }
  return shuffle(groups, random).flatMap((g) => shuffle([...g], random));
}

/**
 * The plan's rounds: every case once per round (caseId suffix `-r<round>` from 1, `round` from 0, when there are
 * several), in plan order or, with `order: interleaved`, in an order drawn from `generation.seed` and the round.
 * `index` is the position in the whole run; the caseId keeps the case's place in plan order.
 */
function inRounds(plan: BenchPlan, cases: BenchCase[]): BenchCase[] {
  const rounds = plan.rounds ?? 1;
  const order = plan.order ?? 'grouped';
  if (rounds === 1 && order === 'grouped') return cases;
  const out: BenchCase[] = [];
  for (let round = 0; round < rounds; round++) {
    const random = new SeededRandom((plan.generation.seed ^ Math.imul(round + 1, 0x9e3779b9)) >>> 0);
    const list = order === 'interleaved' ? interleaved(cases, random) : cases;
    for (const c of list) {
      out.push({
        ...structuredClone(c),
        index: out.length,
        ...(rounds > 1 ? { caseId: `${c.caseId}-r${round + 1}`, round } : {}),
      });
    }
  }
  return out;
}

function expandOneRound(plan: BenchPlan): BenchCase[] {
  const { matrix } = plan;
  const loads: LoadSettings[] = [];
  const seenLoads = new Set<string>();
  for (const model of plan.models) {
    for (const backend of matrix.backend) {
      for (const devices of matrix.devices) {
        for (const gpuLayers of matrix.gpuLayers) {
          for (const build of matrix.build) {
            const load = effectiveLoad({ model, backend, devices: [...devices], gpuLayers, build });
            const key = loadSettingsKey(load);
            if (seenLoads.has(key)) continue;
            seenLoads.add(key);
            loads.push(load);
          }
        }
      }
    }
  }

  // Axes the plan varies get a token in the caseId; single-valued axes would only make ids longer.
  const varies = {
    gpuLayers: matrix.gpuLayers.length > 1,
    contextSize: matrix.contextSize.length > 1,
    batchSize: matrix.batchSize.length > 1,
    flashAttention: matrix.flashAttention.length > 1,
    kvCacheType: matrix.kvCacheType.length > 1,
    threads: matrix.threads.length > 1,
    build: matrix.build.length > 1,
  };
  const allWorkloads = workloads(plan);
  const total =
    loads.length *
    matrix.contextSize.length *
    matrix.batchSize.length *
    matrix.flashAttention.length *
    matrix.kvCacheType.length *
    matrix.threads.length *
    allWorkloads.length;
  const width = Math.max(3, String(Math.max(0, total - 1)).length);

  const cases: BenchCase[] = [];
  for (const load of loads) {
    for (const contextSize of matrix.contextSize) {
      for (const batchSize of matrix.batchSize) {
        for (const flashAttention of matrix.flashAttention) {
          for (const kvCacheType of matrix.kvCacheType) {
            for (const threads of matrix.threads) {
              for (const workload of allWorkloads) {
                const index = cases.length;
                const suffix = [
                  varies.gpuLayers ? gpuLayersPart(load.gpuLayers) : '',
                  varies.contextSize ? `c${contextSize}` : '',
                  varies.batchSize ? `b${batchSize}` : '',
                  varies.flashAttention ? `fa${flashAttention ? 1 : 0}` : '',
                  varies.kvCacheType ? `k${kvCacheType}` : '',
                  varies.threads ? `t${threads}` : '',
                  varies.build ? (load.build ?? 'prebuilt') : '',
                ]
                  .filter((part) => part !== '')
                  .map((part) => `-${part}`)
                  .join('');
                cases.push({
                  index,
                  caseId:
                    `c${String(index).padStart(width, '0')}-${load.model.id}-${load.backend}` +
                    `${devicesPart(load.devices)}-${workloadId(workload)}${suffix}`,
                  model: { ...load.model },
                  backend: load.backend,
                  devices: [...load.devices],
                  gpuLayers: load.gpuLayers,
                  build: load.build ?? 'prebuilt',
                  contextSize,
                  batchSize,
                  threads,
                  flashAttention,
                  kvCacheType,
                  workload: structuredClone(workload),
                  generation: { ...plan.generation },
                  warmup: plan.warmup,
                  repetitions: plan.repetitions,
                  ...(plan.allowSoftwareDevices === true ? { allowSoftwareDevices: true } : {}),
                });
              }
            }
          }
        }
      }
    }
  }
  return cases;
}

/** What `rigbench plan check` reports about a valid plan. */
export interface PlanSummary {
  name: string;
  /** Cases after expansion. */
  cases: number;
  models: number;
  /** Chat prompts plus raw tests plus load tests. */
  prompts: number;
  chatPrompts: number;
  rawTests: number;
  /** Serving-load tests; each level of each is one case. */
  loadTests: number;
  /** Cases that are load levels (run once per round: warm-up and repetitions do not apply). */
  loadCases: number;
  /** Distinct load settings: how many times a model is loaded (one worker each) per agent. */
  loadGroups: number;
  /** Rounds: every case once per round. */
  rounds: number;
  order: 'grouped' | 'interleaved';
  /** Measured runs per agent: chat and raw cases × repetitions. */
  measuredSamples: number;
  /** Unrecorded warm-up runs per agent: chat and raw cases × warmup. */
  warmupRuns: number;
  /** Backends the cases use, in plan order. */
  backends: Backend[];
  /** Distinct device sets the cases use (CPU cases use `[]`). */
  deviceSets: number[][];
  repetitions: number;
  schedules: number;
  /** Human description of which agents run the plan. */
  targets: string;
}

/** Counts for `rigbench plan check`; `cases` must be `expandPlan(plan)`. */
export function planSummary(plan: BenchPlan, cases: readonly BenchCase[]): PlanSummary {
  const loadKeys = new Set(cases.map(loadSettingsKey));
  const loadCases = cases.filter((c) => c.workload.mode === 'load').length;
  const sampled = cases.length - loadCases;
  const backends = plan.matrix.backend.filter((backend) => cases.some((c) => c.backend === backend));
  const deviceKeys = new Map<string, number[]>();
  for (const c of cases) deviceKeys.set(JSON.stringify(c.devices), c.devices);
  const selector = Object.entries(plan.targets.selector).map(([key, value]) => `${key}=${value}`);
  const targetParts = [
    plan.targets.agents.length > 0 ? `agents ${plan.targets.agents.join(', ')}` : '',
    selector.length > 0 ? `labels ${selector.join(', ')}` : '',
  ].filter((part) => part !== '');
  return {
    name: plan.name,
    cases: cases.length,
    models: plan.models.length,
    prompts: plan.prompts.chat.length + plan.prompts.raw.length + (plan.prompts.load?.length ?? 0),
    chatPrompts: plan.prompts.chat.length,
    rawTests: plan.prompts.raw.length,
    loadTests: plan.prompts.load?.length ?? 0,
    loadCases,
    loadGroups: loadKeys.size,
    measuredSamples: sampled * plan.repetitions,
    warmupRuns: sampled * plan.warmup,
    backends,
    deviceSets: [...deviceKeys.values()].map((set) => [...set]),
    repetitions: plan.repetitions,
    rounds: plan.rounds ?? 1,
    order: plan.order ?? 'grouped',
    schedules: plan.schedule.length,
    targets: targetParts.length > 0 ? targetParts.join('; ') : 'every connected agent',
  };
}

/** The summary as human-readable lines for the CLI. */
export function formatPlanSummary(summary: PlanSummary): string[] {
  const sets = summary.deviceSets.map((set) => `[${set.join(',')}]`).join(' ');
  return [
    `plan "${summary.name}": ${summary.cases} cases`,
    `  models ${summary.models}, chat prompts ${summary.chatPrompts}, raw tests ${summary.rawTests}` +
      (summary.loadTests > 0 ? `, load tests ${summary.loadTests} (${summary.loadCases} level cases)` : ''),
    `  backends ${summary.backends.join(', ')}; device sets ${sets}`,
    `  load groups (model loads per agent) ${summary.loadGroups}`,
    `  measured samples per agent ${summary.measuredSamples} (${summary.repetitions} repetitions), ` +
      `warm-up runs ${summary.warmupRuns}`,
    ...(summary.rounds > 1 || summary.order !== 'grouped'
      ? [`  rounds ${summary.rounds}, order ${summary.order} (cases above count every round)`]
      : []),
    `  targets: ${summary.targets}; schedules ${summary.schedules}`,
  ];
}
