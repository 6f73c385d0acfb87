import type { Backend } from '@rigbench/shared';

/** What the demo plan is built from. */
export interface DemoPlanOptions {
  name: string;
  /** File names of the synthetic models inside the agents' models directory, smaller first. */
  models: { id: string; file: string }[];
  /** Every backend the agents have (CPU here, CUDA or Vulkan where present). */
  backends: Backend[];
  threads: number;
  repetitions: number;
  /** Label selector both demo agents match. */
  selector: Record<string, string>;
}

/**
 * The seed-shaped plan: the user's three prompts (Q1–Q3, in Chinese, as typed), two models of different size,
 * every backend the machine has. `ignoreEos` keeps token counts equal across rounds, so speeds compare. A small
 * serving-load sweep (1, 2 and 4 requests in flight, 4 requests of 16 tokens per level: about a second per level
 * for the small model on one thread) shows the saturation curve and goodput against SLOs.
 */
export function demoPlanYaml(options: DemoPlanOptions): string {
  const lines = [
    '# Written by `rigbench demo`: the seed experiment (three prompts, two models, every backend) on synthetic models.',
    'version: 1',
    `name: ${options.name}`,
    'models:',
    ...options.models.flatMap((m) => [`  - id: ${m.id}`, `    source: ${m.file}`]),
    'prompts:',
    '  chat:',
    '    - { id: q1, text: "你好" }',
    '    - { id: q2, text: "你觉得英伟达怎么样？" }',
    '    - { id: q3, text: "你了解英伟达公司的1080显卡吗？" }',
    '  raw:',
    '    - { id: pp64-tg32, promptTokens: 64, generatedTokens: 32 }',
    '  load:',
    '    - id: serve',
    '      concurrency: [1, 2, 4]',
    '      requests: 4',
    '      prompts: ["你好", "你觉得英伟达怎么样？"]',
    '      maxTokens: 16',
    '      slo: { ttftSeconds: 2, itlP90Seconds: 0.1 }',
    'matrix:',
    `  backend: [${options.backends.join(', ')}]`,
    `  threads: [${options.threads}]`,
    '  contextSize: [512]',
    'generation:',
    '  maxTokens: 32',
    '  ignoreEos: true',
    'warmup: 1',
    `repetitions: ${options.repetitions}`,
    'targets:',
    '  selector:',
    ...Object.entries(options.selector).map(([key, value]) => `    ${key}: ${value}`),
    '',
  ];
  return lines.join('\n');
}
