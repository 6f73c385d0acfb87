import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  countPlanCases,
  expandPlan,
  formatPlanSummary,
  loadSettingsKey,
  planSummary,
} from './plan-expansion.js';
import { canonicalPlanHash, canonicalJson } from './plan-hash.js';
import type { BenchCase, BenchPlan } from './plan-model.js';
import { parsePlanYaml } from './plan-parser.js';

const examplePath = (name: string): string =>
  new URL(`../../../../examples/${name}`, import.meta.url).pathname;
const example = (name: string): BenchPlan => parsePlanYaml(readFileSync(examplePath(name), 'utf8'), name);

const BASE = `version: 1
name: t
models:
  - { id: a, source: a.gguf }
  - { id: b, source: b.gguf }
prompts:
  chat:
    - { id: q1, text: hi }
    - { id: q2, text: there }
  raw:
    - { id: tg16, generatedTokens: 16 }
`;

/** Load groups appear as consecutive runs: a key that comes back after another one would mean a reload. */
function expectLoadGroupsConsecutive(cases: readonly BenchCase[]): void {
  const finished = new Set<string>();
  let current: string | undefined;
  for (const c of cases) {
    const key = loadSettingsKey(c);
    if (key === current) continue;
    expect(finished.has(key)).toBe(false);
    if (current !== undefined) finished.add(current);
    current = key;
  }
}

describe('expandPlan', () => {
  test('seed-p104 expands to models x prompts x backends x device sets', () => {
    const plan = example('seed-p104.yaml');
    const cases = expandPlan(plan);
    const { matrix } = plan;
    const expected =
      plan.models.length *
      (plan.prompts.chat.length + plan.prompts.raw.length) *
      matrix.backend.length *
      matrix.devices.length *
      matrix.gpuLayers.length *
      matrix.contextSize.length *
      matrix.batchSize.length *
      matrix.threads.length *
      matrix.flashAttention.length *
      matrix.kvCacheType.length;
    expect(cases).toHaveLength(expected);
    expect(expected).toBe(24);
    expect(cases[3]?.caseId).toBe('c003-llama-8b-cuda-d0_1-q1');
    expect(cases.map((c) => c.index)).toEqual([...Array(expected).keys()]);
    expectLoadGroupsConsecutive(cases);
    expect(new Set(cases.map((c) => c.caseId)).size).toBe(cases.length);
  });

  test('quick-cpu expands to models x (chat prompts + raw tests)', () => {
    const plan = example('quick-cpu.yaml');
    const cases = expandPlan(plan);
    expect(cases).toHaveLength(plan.models.length * (plan.prompts.chat.length + plan.prompts.raw.length));
    expect(cases.map((c) => c.caseId)).toEqual([
      'c000-tiny-cpu-q1',
      'c001-tiny-cpu-q2',
      'c002-tiny-cpu-q3',
      'c003-tiny-cpu-pp64-tg32',
      'c004-small-cpu-q1',
      'c005-small-cpu-q2',
      'c006-small-cpu-q3',
      'c007-small-cpu-pp64-tg32',
    ]);
    expect(cases[3]).toMatchObject({
      workload: { mode: 'raw', test: { id: 'pp64-tg32', promptTokens: 64, generatedTokens: 32, depth: 0 } },
      threads: 1,
      contextSize: 512,
      generation: { maxTokens: 32, ignoreEos: true },
      warmup: 1,
      repetitions: 3,
    });
  });

  test('keeps load groups consecutive and disambiguates case ids when other axes vary', () => {
    const plan = parsePlanYaml(
      `${BASE}matrix:\n  backend: [cuda, vulkan]\n  devices: [[0], [0, 1]]\n  gpuLayers: [max, 20]\n` +
        `  contextSize: [2048, 4096]\n  threads: [auto, 4]\n  flashAttention: [false, true]\n`,
      'big.yaml',
    );
    const cases = expandPlan(plan);
    expect(cases).toHaveLength(2 * 3 * 2 * 2 * 2 * 2 * 2 * 2);
    expectLoadGroupsConsecutive(cases);
    expect(new Set(cases.map(loadSettingsKey)).size).toBe(2 * 2 * 2 * 2);
    expect(new Set(cases.map((c) => c.caseId)).size).toBe(cases.length);
    expect(cases[0]?.caseId).toBe('c000-a-cuda-d0-q1-nglmax-c2048-fa0-tauto');
    expect(cases.at(-1)?.caseId).toBe('c383-b-vulkan-d0_1-tg16-ngl20-c4096-fa1-t4');
    // Within a load group, context settings change less often than prompts.
    expect(cases.slice(0, 3).map((c) => [c.contextSize, c.threads, c.workload.mode])).toEqual([
      [2048, 'auto', 'chat'],
      [2048, 'auto', 'chat'],
      [2048, 'auto', 'raw'],
    ]);
  });

  test('is deterministic', () => {
    const plan = example('seed-p104.yaml');
    expect(expandPlan(plan)).toEqual(expandPlan(structuredClone(plan)));
  });

  test('cases do not share mutable state with the plan or each other', () => {
    const plan = example('seed-p104.yaml');
    const cases = expandPlan(plan);
    cases[0]?.devices.push(7);
    cases[0]!.generation.maxTokens = 1;
    expect(plan.matrix.devices[0]).toEqual([0]);
    expect(cases[1]?.devices).toEqual([0]);
    expect(cases[1]?.generation.maxTokens).toBe(256);
  });

  test('on the CPU backend device sets and GPU layers collapse into one load', () => {
    const plan = parsePlanYaml(
      `${BASE}matrix:\n  backend: [cpu, cuda]\n  devices: [[0], [1]]\n  gpuLayers: [max, 10]\n`,
      'mixed.yaml',
    );
    const cases = expandPlan(plan);
    const cpu = cases.filter((c) => c.backend === 'cpu');
    expect(cpu).toHaveLength(2 * 3);
    expect(cpu.every((c) => c.devices.length === 0 && c.gpuLayers === 0)).toBe(true);
    expect(cases.filter((c) => c.backend === 'cuda')).toHaveLength(2 * 3 * 2 * 2);
    expectLoadGroupsConsecutive(cases);
    expect(new Set(cases.map((c) => c.caseId)).size).toBe(cases.length);
  });

  test('the build axis is a load setting: prebuilt and local cases load apart and their ids say which', () => {
    const plain = expandPlan(parsePlanYaml(`${BASE}matrix:\n  backend: [cpu]\n`, 'plain.yaml'));
    // Not varied: every case on the prebuilt binaries, ids unchanged.
    expect(plain.every((c) => c.build === 'prebuilt' && !/prebuilt/.test(c.caseId))).toBe(true);
    const plan = parsePlanYaml(
      `${BASE}matrix:\n  backend: [cpu]\n  build: [prebuilt, local]\n`,
      'build.yaml',
    );
    const cases = expandPlan(plan);
    expect(cases).toHaveLength(2 * plain.length);
    expect(cases.filter((c) => c.build === 'local').every((c) => c.caseId.endsWith('-local'))).toBe(true);
    expect(new Set(cases.map((c) => loadSettingsKey(c))).size).toBe(
      2 * new Set(plain.map((c) => loadSettingsKey(c))).size,
    );
    expectLoadGroupsConsecutive(cases);
    expect(() => parsePlanYaml(`${BASE}matrix:\n  build: [native]\n`, 'bad.yaml')).toThrow(
      /bad\.yaml:\d+:\d+.*matrix\.build\[0\].*one of prebuilt, local/,
    );
  });
});

describe('planSummary', () => {
  test('counts cases, load groups and measured samples for plan check', () => {
    const plan = example('seed-p104.yaml');
    const summary = planSummary(plan, expandPlan(plan));
    expect(summary).toEqual({
      name: 'seed-p104',
      cases: 24,
      models: 2,
      prompts: 3,
      chatPrompts: 3,
      rawTests: 0,
      loadTests: 0,
      loadCases: 0,
      loadGroups: 8,
      measuredSamples: 24 * 4,
      warmupRuns: 24,
      backends: ['cuda', 'vulkan'],
      deviceSets: [[0], [0, 1]],
      repetitions: 4,
      rounds: 1,
      order: 'grouped',
      schedules: 2,
      targets: 'labels gpu=p104-100',
    });
    expect(formatPlanSummary(summary)[0]).toBe('plan "seed-p104": 24 cases');
  });

  test('a plan without targets runs on every connected agent', () => {
    const plan = example('quick-cpu.yaml');
    const summary = planSummary(plan, expandPlan(plan));
    expect(summary).toMatchObject({ cases: 8, loadGroups: 2, measuredSamples: 24, deviceSets: [[]] });
    expect(summary.targets).toBe('every connected agent');
  });
});

describe('canonicalPlanHash', () => {
  test('ignores key order and YAML formatting', () => {
    const plan = example('quick-cpu.yaml');
    const reordered = JSON.parse(canonicalJson(plan)) as BenchPlan;
    const flow = parsePlanYaml(
      `{ name: quick-cpu, version: 1, description: "Smoke benchmark on CPU with the synthetic tiny and small models.",` +
        ` models: [{source: synth-tiny.gguf, id: tiny}, {id: small, source: synth-small.gguf}],` +
        ` prompts: {raw: [{id: pp64-tg32, generatedTokens: 32, promptTokens: 64}], chat: [{id: q1, text: 你好},` +
        ` {id: q2, text: "你觉得英伟达怎么样?"}, {id: q3, text: "你了解英伟达公司的1080显卡吗?"}]},` +
        ` matrix: {threads: 1, backend: [cpu], contextSize: 512}, generation: {ignoreEos: true, maxTokens: 32} }`,
      'flow.yaml',
    );
    expect(canonicalPlanHash(plan)).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalPlanHash(reordered)).toBe(canonicalPlanHash(plan));
    expect(canonicalPlanHash(flow)).toBe(canonicalPlanHash(plan));
  });

  test('changes when anything measured changes', () => {
    const plan = example('quick-cpu.yaml');
    const changed = structuredClone(plan);
    changed.matrix.threads = [2];
    expect(canonicalPlanHash(changed)).not.toBe(canonicalPlanHash(plan));
  });

  test('canonical JSON sorts keys at every level and keeps list order', () => {
    expect(canonicalJson({ b: [3, { d: 1, c: 2 }], a: undefined, e: 'x' })).toBe(
      '{"b":[3,{"c":2,"d":1}],"e":"x"}',
    );
  });
});

describe('countPlanCases', () => {
  test('equals the expanded case count for the examples', () => {
    for (const name of ['quick-cpu.yaml', 'seed-p104.yaml', 'load-sweep.yaml']) {
      const plan = example(name);
      expect(countPlanCases(plan)).toBe(expandPlan(plan).length);
    }
  });

  test('equals the expanded case count for random matrices, CPU collapse included', () => {
    const sub = <T>(values: readonly T[]) =>
      fc.subarray([...values], { minLength: 1, maxLength: values.length });
    fc.assert(
      fc.property(
        fc.record({
          backend: sub(['cpu', 'cuda', 'vulkan'] as const),
          devices: sub([[], [0], [1], [0, 1]]),
          gpuLayers: sub(['max', 0, 20] as const),
          contextSize: sub([512, 2048]),
          batchSize: sub([64, 256]),
          threads: sub(['auto', 1, 2] as const),
          flashAttention: sub([false, true]),
          kvCacheType: sub(['f16', 'q8_0'] as const),
          build: sub(['prebuilt', 'local'] as const),
        }),
        fc.integer({ min: 1, max: 3 }),
        (matrix, models) => {
          const plan = parsePlanYaml(BASE, 'base.yaml');
          const varied: BenchPlan = {
            ...plan,
            models: Array.from({ length: models }, (_, i) => ({ id: `m${i}`, source: `m${i}.gguf` })),
            matrix: {
              ...matrix,
              backend: [...matrix.backend],
              devices: matrix.devices.map((d) => [...d]),
              gpuLayers: [...matrix.gpuLayers],
              threads: [...matrix.threads],
              kvCacheType: [...matrix.kvCacheType],
              build: [...matrix.build],
            },
          };
          expect(countPlanCases(varied)).toBe(expandPlan(varied).length);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('rounds and interleaved order', () => {
  const plan = (extra: string): BenchPlan =>
    parsePlanYaml(`${BASE}matrix:\n  backend: [cpu, vulkan]\n${extra}`, 'rounds.yaml');

  test('rounds: every case once per round, ids suffixed, indexes in run order', () => {
    const one = expandPlan(plan(''));
    const cases = expandPlan(plan('rounds: 3\n'));
    expect(cases).toHaveLength(one.length * 3);
    expect(cases.map((c) => c.index)).toEqual(cases.map((_, i) => i));
    expect(cases.slice(0, one.length).map((c) => c.caseId)).toEqual(one.map((c) => `${c.caseId}-r1`));
    expect(cases.map((c) => c.round)).toEqual([0, 1, 2].flatMap((r) => one.map(() => r)));
    expect(new Set(cases.map((c) => c.caseId)).size).toBe(cases.length);
    expect(formatPlanSummary(planSummary(plan('rounds: 3\n'), cases)).join('\n')).toContain(
      'rounds 3, order grouped',
    );
  });

  test('order: interleaved shuffles each round differently, the same way every time, loads kept together', () => {
    const p = plan('rounds: 3\norder: interleaved\n');
    const cases = expandPlan(p);
    expect(expandPlan(p)).toEqual(cases);
    const rounds = [0, 1, 2].map((r) => cases.filter((c) => c.round === r).map((c) => c.caseId.slice(0, -3)));
    const grouped = expandPlan(plan('')).map((c) => c.caseId);
    for (const r of rounds) expect([...r].sort()).toEqual([...grouped].sort());
    expect(new Set(rounds.map((r) => r.join())).size).toBeGreaterThan(1);
    for (let r = 0; r < 3; r++) expectLoadGroupsConsecutive(cases.filter((c) => c.round === r));
  });

  test('bad rounds and order name the field and what would be valid', () => {
    expect(() => plan('rounds: 0\n')).toThrow(/rounds[\s\S]*from 1 to 100/);
    expect(() => plan('order: random\n')).toThrow(/order[\s\S]*grouped/);
  });
});
