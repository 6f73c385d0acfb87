import { readFileSync } from 'node:fs';
import { formatPlanIssues, PlanValidationError } from './plan-errors.js';
import type { PlanIssue } from './plan-errors.js';
import { parsePlanYaml, validatePlan } from './plan-parser.js';

const examplePath = (name: string): string =>
  new URL(`../../../../examples/${name}`, import.meta.url).pathname;

/** A valid minimal plan; broken plans below append to it, so their line numbers start at 10. */
const BASE = `version: 1
name: t
models:
  - id: m
    source: m.gguf
prompts:
  chat:
    - id: q1
      text: hi
`;

function issuesOf(text: string, file = 'plan.yaml'): readonly PlanIssue[] {
  try {
    parsePlanYaml(text, file);
  } catch (error) {
    if (error instanceof PlanValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected the plan to be rejected');
}

describe('parsePlanYaml - valid plans', () => {
  test('an omitted batch size is the smallest context when that is below 512, so the plan says what runs', () => {
    const small = parsePlanYaml(`${BASE}matrix:\n  contextSize: [256, 4096]\n`, 'plan.yaml');
    expect(small.matrix.batchSize).toEqual([256]);
    expect(parsePlanYaml(`${BASE}matrix:\n  contextSize: [1024]\n`, 'plan.yaml').matrix.batchSize).toEqual([
      512,
    ]);
    // Validating the validated plan again (the agent does) changes nothing.
    expect(validatePlan(JSON.parse(JSON.stringify(small)), 'again')).toEqual(small);
  });

  test('fills every default into a minimal plan', () => {
    const plan = parsePlanYaml(BASE, 'min.yaml');
    expect(plan).toEqual({
      version: 1,
      name: 't',
      models: [{ id: 'm', source: 'm.gguf' }],
      prompts: { chat: [{ id: 'q1', text: 'hi' }], raw: [] },
      matrix: {
        backend: ['cpu'],
        devices: [[]],
        gpuLayers: ['max'],
        contextSize: [4096],
        batchSize: [512],
        threads: ['auto'],
        flashAttention: [false],
        kvCacheType: ['f16'],
        build: ['prebuilt'],
      },
      generation: { maxTokens: 128, temperature: 0, seed: 42, ignoreEos: false },
      warmup: 1,
      repetitions: 3,
      targets: { agents: [], selector: {} },
      schedule: [],
    });
  });

  test('allowSoftwareDevices is kept when written and absent otherwise (the plan hash of older plans holds)', () => {
    expect(parsePlanYaml(`${BASE}allowSoftwareDevices: true\n`, 'sw.yaml').allowSoftwareDevices).toBe(true);
    expect('allowSoftwareDevices' in parsePlanYaml(BASE, 'min.yaml')).toBe(false);
  });

  test('defaults are fresh objects for every parse', () => {
    const first = parsePlanYaml(BASE, 'a.yaml');
    first.matrix.backend.push('cuda');
    first.matrix.devices[0]?.push(3);
    const second = parsePlanYaml(BASE, 'b.yaml');
    expect(second.matrix.backend).toEqual(['cpu']);
    expect(second.matrix.devices).toEqual([[]]);
  });

  test('an empty optional section means its defaults', () => {
    const plan = parsePlanYaml(`${BASE}generation:\n  # maxTokens: 64\nmatrix:\nschedule:\n`, 'e.yaml');
    expect(plan).toEqual(parsePlanYaml(BASE, 'min.yaml'));
  });

  test('a scalar axis is shorthand for a one-item list', () => {
    const plan = parsePlanYaml(
      `${BASE}matrix:\n  backend: cuda\n  threads: 4\n  flashAttention: true\n`,
      's.yaml',
    );
    expect(plan.matrix.backend).toEqual(['cuda']);
    expect(plan.matrix.threads).toEqual([4]);
    expect(plan.matrix.flashAttention).toEqual([true]);
  });

  test('label selector values are read as text, and hf: sources are accepted', () => {
    const text = BASE.replace('source: m.gguf', 'source: hf:bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M');
    const plan = parsePlanYaml(`${text}targets:\n  selector: { gpus: 2, rack: a1 }\n`, 't.yaml');
    expect(plan.targets.selector).toEqual({ gpus: '2', rack: 'a1' });
    expect(plan.models[0]?.source).toBe('hf:bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M');
  });

  test('examples/seed-p104.yaml reproduces the seed experiment', () => {
    const plan = parsePlanYaml(readFileSync(examplePath('seed-p104.yaml'), 'utf8'), 'seed-p104.yaml');
    expect(plan.models.map((model) => model.id)).toEqual(['llama-8b', 'qwen-14b']);
    expect(plan.models.every((model) => model.source.endsWith('.gguf'))).toBe(true);
    expect(plan.prompts.chat.map((prompt) => prompt.text)).toEqual([
      '你好',
      '你觉得英伟达怎么样?',
      '你了解英伟达公司的1080显卡吗?',
    ]);
    expect(plan.matrix.backend).toEqual(['cuda', 'vulkan']);
    expect(plan.matrix.devices).toEqual([[0], [0, 1]]);
    expect(plan.matrix.threads).toEqual(['auto']);
    expect(plan.repetitions).toBe(4);
    expect(plan.generation.ignoreEos).toBe(true);
    expect(plan.targets.selector).toEqual({ gpu: 'p104-100' });
    expect(plan.schedule.map((entry) => entry.label)).toEqual(['morning', 'night']);
  });

  test('examples/quick-cpu.yaml uses the synthetic models on one CPU thread', () => {
    const plan = parsePlanYaml(readFileSync(examplePath('quick-cpu.yaml'), 'utf8'), 'quick-cpu.yaml');
    expect(plan.models).toEqual([
      { id: 'tiny', source: 'synth-tiny.gguf' },
      { id: 'small', source: 'synth-small.gguf' },
    ]);
    expect(plan.matrix.backend).toEqual(['cpu']);
    expect(plan.matrix.threads).toEqual([1]);
    expect(plan.prompts.chat).toHaveLength(3);
    expect(plan.prompts.raw).toEqual([{ id: 'pp64-tg32', promptTokens: 64, generatedTokens: 32, depth: 0 }]);
    expect(plan.generation).toMatchObject({ maxTokens: 32, ignoreEos: true });
    expect(plan).toMatchObject({ warmup: 1, repetitions: 3 });
  });
});

interface BrokenPlan {
  name: string;
  text: string;
  path: string;
  line: number;
  column: number;
  message: string;
  expected?: string;
  /** Issues the plan produces; the first is checked. Defaults to 1. */
  count?: number;
}

const BROKEN: BrokenPlan[] = [
  {
    name: 'YAML syntax error (unclosed flow list)',
    text: `${BASE}matrix:\n  backend: [cuda\nrepetitions: 2\n`,
    path: '',
    line: 12,
    column: 1,
    message: 'YAML syntax error',
  },
  {
    name: 'duplicate YAML key',
    text: `${BASE}repetitions: 2\nrepetitions: 3\n`,
    path: '',
    line: 11,
    column: 1,
    message: 'unique',
  },
  {
    name: 'a list used as a mapping key',
    text: `${BASE}matrix:\n  ? [backend]\n  : cuda\n`,
    path: '',
    line: 11,
    column: 5,
    message: 'a mapping key is a list or mapping',
  },
  {
    name: 'plan is a list, not a mapping',
    text: '- version: 1\n',
    path: '',
    line: 1,
    column: 1,
    message: 'must be a mapping, got a list',
  },
  {
    name: 'empty document',
    text: '# nothing here\n',
    path: '',
    line: 1,
    column: 1,
    message: 'must be a mapping, got nothing',
  },
  {
    name: 'unknown top-level key, with suggestion',
    text: `${BASE}repetiton: 3\n`,
    path: 'repetiton',
    line: 10,
    column: 1,
    message: 'unknown key "repetiton" (did you mean "repetitions"?)',
    expected: 'one of version, name,',
  },
  {
    name: 'unknown matrix key, with suggestion',
    text: `${BASE}matrix:\n  backnd: [cuda]\n`,
    path: 'matrix.backnd',
    line: 11,
    column: 3,
    message: 'did you mean "backend"?',
  },
  {
    name: 'abbreviated generation key',
    text: `${BASE}generation:\n  temp: 0.7\n`,
    path: 'generation.temp',
    line: 11,
    column: 3,
    message: 'did you mean "temperature"?',
  },
  {
    name: 'wrong type for repetitions',
    text: `${BASE}repetitions: many\n`,
    path: 'repetitions',
    line: 10,
    column: 14,
    message: 'must be a number, got "many"',
  },
  {
    name: 'negative repetitions',
    text: `${BASE}repetitions: -2\n`,
    path: 'repetitions',
    line: 10,
    column: 14,
    message: 'must be at least 1, got -2',
    expected: 'an integer from 1 to 1000',
  },
  {
    name: 'too many repetitions',
    text: `${BASE}repetitions: 1001\n`,
    path: 'repetitions',
    line: 10,
    column: 14,
    message: 'must be at most 1000, got 1001',
  },
  {
    name: 'fractional warm-up count',
    text: `${BASE}warmup: 1.5\n`,
    path: 'warmup',
    line: 10,
    column: 9,
    message: 'must be an integer, got 1.5',
  },
  {
    name: 'allowSoftwareDevices that is not a boolean',
    text: `${BASE}allowSoftwareDevices: yes please\n`,
    path: 'allowSoftwareDevices',
    line: 10,
    column: 23,
    message: 'must be true or false, got "yes please"',
    expected: 'true to benchmark GPU backends on software devices',
  },
  {
    name: 'unknown backend, listing the valid ones',
    text: `${BASE}matrix:\n  backend: [cuda, rocm]\n`,
    path: 'matrix.backend[1]',
    line: 11,
    column: 19,
    message: 'unknown backend "rocm"',
    expected: 'one of cpu, cuda, vulkan, metal',
  },
  {
    name: 'unknown backend written as shorthand, with suggestion',
    text: `${BASE}matrix:\n  backend: vulkn\n`,
    path: 'matrix.backend',
    line: 11,
    column: 12,
    message: 'unknown backend "vulkn" (did you mean "vulkan"?)',
  },
  {
    name: 'repeated axis value',
    text: `${BASE}matrix:\n  backend: [cuda, vulkan, cuda]\n`,
    path: 'matrix.backend[2]',
    line: 11,
    column: 27,
    message: 'repeats item [0]',
  },
  {
    name: 'unknown KV cache type, with suggestion',
    text: `${BASE}matrix:\n  kvCacheType: [q8]\n`,
    path: 'matrix.kvCacheType[0]',
    line: 11,
    column: 17,
    message: 'did you mean "q8_0"?',
  },
  {
    name: 'threads 0',
    text: `${BASE}matrix:\n  threads: [auto, 0]\n`,
    path: 'matrix.threads[1]',
    line: 11,
    column: 19,
    message: 'must be at least 1, got 0',
    expected: '"auto" or an integer from 1 to 1024',
  },
  {
    name: 'threads as an unknown word',
    text: `${BASE}matrix:\n  threads: [all]\n`,
    path: 'matrix.threads[0]',
    line: 11,
    column: 13,
    message: '"all" is not valid here',
    expected: '"auto" or an integer',
  },
  {
    name: 'gpuLayers auto (only max or a number)',
    text: `${BASE}matrix:\n  gpuLayers: [auto]\n`,
    path: 'matrix.gpuLayers[0]',
    line: 11,
    column: 15,
    message: '"auto" is not valid here',
    expected: '"max" or an integer from 0 to 10000',
  },
  {
    name: 'duplicate device index within a set',
    text: `${BASE}matrix:\n  backend: cuda\n  devices: [[0, 1, 0]]\n`,
    path: 'matrix.devices[0][2]',
    line: 12,
    column: 20,
    message: 'repeats item [0]',
    expected: 'each GPU index at most once per set',
  },
  {
    name: 'negative device index',
    text: `${BASE}matrix:\n  devices:\n    - [-1]\n`,
    path: 'matrix.devices[0][0]',
    line: 12,
    column: 8,
    message: 'must be at least 0, got -1',
  },
  {
    name: 'device set written without the outer list',
    text: `${BASE}matrix:\n  devices: [0, 1]\n`,
    path: 'matrix.devices[0]',
    line: 11,
    column: 13,
    count: 2,
    message: 'must be a list, got 0',
    expected: 'a list of distinct GPU indexes',
  },
  {
    name: 'contextSize below the minimum',
    text: `${BASE}matrix:\n  contextSize: [2048, 8]\n`,
    path: 'matrix.contextSize[1]',
    line: 11,
    column: 23,
    message: 'must be at least 16, got 8',
  },
  {
    name: 'flashAttention as text',
    text: `${BASE}matrix:\n  flashAttention: [on]\n`,
    path: 'matrix.flashAttention[0]',
    line: 11,
    column: 20,
    message: 'must be true or false, got "on"',
  },
  {
    name: 'empty axis list',
    text: `${BASE}matrix:\n  batchSize: []\n`,
    path: 'matrix.batchSize',
    line: 11,
    column: 14,
    message: 'must not be empty',
  },
  {
    name: 'version 2',
    text: BASE.replace('version: 1', 'version: 2'),
    path: 'version',
    line: 1,
    column: 10,
    message: 'must be 1, got 2',
  },
  {
    name: 'missing name points at the parent mapping',
    text: BASE.replace('name: t\n', ''),
    path: 'name',
    line: 1,
    column: 1,
    message: 'missing required key "name"',
  },
  {
    name: 'empty models list',
    text: BASE.replace('models:\n  - id: m\n    source: m.gguf\n', 'models: []\n'),
    path: 'models',
    line: 3,
    column: 9,
    message: 'must not be empty',
    expected: 'a non-empty list of models',
  },
  {
    name: 'model path climbing out with ..',
    text: BASE.replace('source: m.gguf', 'source: ../secrets/m.gguf'),
    path: 'models[0].source',
    line: 5,
    column: 13,
    message: 'has a ".." segment',
  },
  {
    name: 'absolute model path',
    text: BASE.replace('source: m.gguf', 'source: /models/m.gguf'),
    path: 'models[0].source',
    line: 5,
    column: 13,
    message: 'is an absolute path',
  },
  {
    name: 'model file that is not GGUF',
    text: BASE.replace('source: m.gguf', 'source: m.safetensors'),
    path: 'models[0].source',
    line: 5,
    column: 13,
    message: 'is not a .gguf file',
  },
  {
    name: 'malformed hf: URI',
    text: BASE.replace('source: m.gguf', 'source: "hf:just-a-name"'),
    path: 'models[0].source',
    line: 5,
    column: 13,
    message: 'is not an hf: URI of the form',
  },
  {
    name: 'model id with a space',
    text: BASE.replace('id: m', 'id: my model'),
    path: 'models[0].id',
    line: 4,
    column: 9,
    message: '"my model" is not a valid id',
  },
  {
    name: 'duplicate model id',
    text: BASE.replace('models:\n', 'models:\n  - id: m\n    source: other.gguf\n'),
    path: 'models[1].id',
    line: 6,
    column: 9,
    message: 'duplicate model id "m" (already used by models[0])',
  },
  {
    name: 'duplicate prompt id across chat and raw',
    text: `${BASE}  raw:\n    - id: q1\n      generatedTokens: 16\n`,
    path: 'prompts.raw[0].id',
    line: 11,
    column: 11,
    message: 'duplicate prompt id "q1" (already used by prompts.chat[0])',
  },
  {
    name: 'no prompts at all',
    text: BASE.replace('  chat:\n    - id: q1\n      text: hi\n', '  chat: []\n'),
    path: 'prompts',
    line: 7,
    column: 3,
    message: 'plan has no chat prompts, raw tests or load tests',
  },
  {
    name: 'empty prompt text',
    text: BASE.replace('text: hi', "text: '  '"),
    path: 'prompts.chat[0].text',
    line: 9,
    column: 13,
    message: 'prompt text is empty',
  },
  {
    name: 'raw test measuring nothing',
    text: `${BASE}  raw:\n    - id: nothing\n      depth: 128\n`,
    path: 'prompts.raw[0]',
    line: 11,
    column: 7,
    message: 'measures nothing',
  },
  {
    name: 'raw test deeper than the context',
    text: `${BASE}  raw:\n    - { id: deep, depth: 4000, promptTokens: 512 }\nmatrix:\n  contextSize: [8192, 4096]\n`,
    path: 'prompts.raw[0]',
    line: 11,
    column: 7,
    message: 'needs 4512 tokens of context (depth 4000 + promptTokens 512 + generatedTokens 0)',
    expected: 'at most 4096, the smallest matrix.contextSize',
  },
  {
    name: 'maxTokens that leaves no room for the prompt',
    text: `${BASE}generation:\n  maxTokens: 4096\n`,
    path: 'generation.maxTokens',
    line: 11,
    column: 14,
    message: 'leaves no room for the prompt in matrix.contextSize 4096',
  },
  {
    name: 'temperature out of range',
    text: `${BASE}generation:\n  temperature: 7\n`,
    path: 'generation.temperature',
    line: 11,
    column: 16,
    message: 'must be at most 2, got 7',
  },
  {
    name: 'seed beyond 32 bits (one issue, not a second safe-integer one)',
    text: `${BASE}generation:\n  seed: 99999999999999999999\n`,
    path: 'generation.seed',
    line: 11,
    column: 9,
    message: 'must be at most 4294967295',
  },
  {
    name: 'cron with four fields',
    text: `${BASE}schedule:\n  - cron: '0 8 * *'\n`,
    path: 'schedule[0].cron',
    line: 11,
    column: 11,
    message: 'has 4 fields, needs 5',
  },
  {
    name: 'cron hour out of range',
    text: `${BASE}schedule:\n  - cron: '30 24 * * *'\n    label: night\n`,
    path: 'schedule[0].cron',
    line: 11,
    column: 11,
    message: 'cron field 2 (hour) "24" is out of range 0-23',
  },
  {
    name: 'invalid label selector key',
    text: `${BASE}targets:\n  selector:\n    'gpu model': p104\n`,
    path: 'targets.selector["gpu model"]',
    line: 12,
    column: 5,
    message: 'label key "gpu model" is not valid',
  },
  {
    name: 'duplicate target agent',
    text: `${BASE}targets:\n  agents: [node-a, node-a]\n`,
    path: 'targets.agents[1]',
    line: 11,
    column: 20,
    message: 'repeats item [0]',
  },
  {
    name: 'description longer than the free-text cap',
    text: `${BASE}description: ${'x'.repeat(10_001)}\n`,
    path: 'description',
    line: 10,
    column: 14,
    message: 'must be at most 10000 characters long',
  },
  {
    name: 'label selector value longer than the cap',
    text: `${BASE}targets:\n  selector:\n    gpu: ${'p'.repeat(254)}\n`,
    path: 'targets.selector.gpu',
    line: 12,
    column: 10,
    message: 'must be at most 253 characters long',
  },
  {
    name: 'batch size larger than the smallest context size',
    text: `${BASE}matrix:\n  contextSize: [256, 4096]\n  batchSize: [64, 512]\n`,
    path: 'matrix.batchSize[1]',
    line: 12,
    column: 19,
    message: 'batchSize 512 is larger than matrix.contextSize 256',
  },
];

describe('parsePlanYaml - broken plans', () => {
  test.each(BROKEN)('rejects: $name', ({ text, path, line, column, message, expected, count = 1 }) => {
    const issues = issuesOf(text);
    const issue = issues[0];
    expect({ count: issues.length, path: issue?.path, line: issue?.line, column: issue?.column }).toEqual({
      count,
      path,
      line,
      column,
    });
    expect(issue?.message).toContain(message);
    expect(issue?.file).toBe('plan.yaml');
    if (expected !== undefined) expect(issue?.expected).toContain(expected);
  });

  test('reports every issue at once, in document order', () => {
    const text = BASE.replace('version: 1', 'version: 3') + 'matrix:\n  threads: [0]\nrepetitions: -1\n';
    const issues = issuesOf(text);
    expect(issues.map((issue) => [issue.path, issue.line, issue.column])).toEqual([
      ['version', 1, 10],
      ['matrix.threads[0]', 11, 13],
      ['repetitions', 12, 14],
    ]);
  });

  test('cross-field rules still run when other fields are malformed', () => {
    const text =
      BASE.replace('models:\n', 'models:\n  - id: m\n    source: 42\n') +
      '  raw:\n    - { id: q1, depth: 9000, promptTokens: 1 }\nmatrix:\n  backend: rocm\n';
    const paths = issuesOf(text).map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'models[0].source',
        'models[1].id',
        'prompts.raw[0].id',
        'prompts.raw[0]',
        'matrix.backend',
      ]),
    );
  });

  test('an alias bomb is a plan issue, not a crash', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      lines.push(`${next}: &${next} [${Array.from({ length: 10 }, () => `*${prev}`).join(', ')}]`);
    }
    const issues = issuesOf(lines.join('\n'));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toContain('YAML could not be read');
  });

  test('formatPlanIssues prints file:line:column, path, message and what is expected', () => {
    let lines: string[] = [];
    try {
      parsePlanYaml(`${BASE}matrix:\n  backend: [rocm]\n`, 'plans/p.yaml');
    } catch (error) {
      if (!(error instanceof PlanValidationError)) throw error;
      lines = formatPlanIssues(error);
      expect(error.message).toBe(lines[0]);
    }
    expect(lines).toEqual([
      'plans/p.yaml:11:13  matrix.backend[0]  unknown backend "rocm" (expected one of cpu, cuda, vulkan, metal)',
    ]);
  });
});

describe('validatePlan - JSON plans', () => {
  test('accepts the same plan as the YAML parser', () => {
    const fromYaml = parsePlanYaml(readFileSync(examplePath('seed-p104.yaml'), 'utf8'), 'seed-p104.yaml');
    expect(validatePlan(JSON.parse(JSON.stringify(fromYaml)))).toEqual(fromYaml);
  });

  test('reports paths without positions', () => {
    let caught: unknown;
    try {
      validatePlan(
        { version: 1, name: 'x', models: [], prompts: { chat: [{ id: 'a b', text: 'hi' }] } },
        'grpc',
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PlanValidationError);
    const issues = (caught as PlanValidationError).issues;
    expect(issues.map((issue) => issue.path)).toEqual(['models', 'prompts.chat[0].id']);
    expect(issues.every((issue) => issue.file === 'grpc' && issue.line === undefined)).toBe(true);
    expect(formatPlanIssues(caught as PlanValidationError)[0]).toMatch(
      /^grpc {2}models {2}must not be empty/,
    );
  });
});
