/**
 * Admission of a run: the StartRun request parsed and checked against the plan schema and this agent's limits,
 * every bound checked on the plan as written, before a single case is built.
 */
import { countPlanCases, PlanValidationError, validatePlan, type BenchPlan } from '@rigbench/shared';
import type { AgentLimits } from '../config/index.js';
import { LimitExceededError, PlanRejectedError, type RunRequestViolation } from './errors.js';

/** Characters of the free text a caller may attach to a run (StartRun label, CancelRun reason). */
export const RUN_TEXT_LIMITS = { label: 200, cancelReason: 1000 } as const;

/** The plan JSON of a StartRun, validated; throws {@link PlanRejectedError} naming every problem. */
export function parsePlan(planJson: string): BenchPlan {
  let value: unknown;
  try {
    value = JSON.parse(planJson);
  } catch (error) {
    throw new PlanRejectedError(
      [{ path: 'plan_json', message: `not valid JSON: ${(error as Error).message}` }],
      {
        cause: error,
      },
    );
  }
  try {
    return validatePlan(value, 'grpc:StartRun');
  } catch (error) {
    if (error instanceof PlanValidationError) {
      throw new PlanRejectedError(
        error.issues.map((issue) => ({
          path: issue.path,
          message:
            issue.expected === undefined ? issue.message : `${issue.message} (expected ${issue.expected})`,
        })),
        { cause: error },
      );
    }
    throw error;
  }
}

/** Checks a plan against the agent's limits; every violation names the plan field and the config key. */
export function checkLimits(plan: BenchPlan, limits: AgentLimits): void {
  const violations: RunRequestViolation[] = [];
  if (limits.maxTokens !== null && plan.generation.maxTokens > limits.maxTokens) {
    violations.push({
      path: 'generation.maxTokens',
      message: `${plan.generation.maxTokens} exceeds this agent's limit limits.maxTokens = ${limits.maxTokens}`,
    });
  }
  if (limits.maxTokens !== null) {
    for (const [i, test] of plan.prompts.raw.entries()) {
      if (test.generatedTokens > limits.maxTokens) {
        violations.push({
          path: `prompts.raw[${i}].generatedTokens`,
          message: `${test.generatedTokens} exceeds this agent's limit limits.maxTokens = ${limits.maxTokens}`,
        });
      }
    }
    for (const [i, test] of (plan.prompts.load ?? []).entries()) {
      if (test.maxTokens > limits.maxTokens) {
        violations.push({
          path: `prompts.load[${i}].maxTokens`,
          message: `${test.maxTokens} exceeds this agent's limit limits.maxTokens = ${limits.maxTokens}`,
        });
      }
    }
  }
  if (limits.contextSize !== null) {
    for (const [i, size] of plan.matrix.contextSize.entries()) {
      if (size > limits.contextSize) {
        violations.push({
          path: `matrix.contextSize[${i}]`,
          message: `${size} exceeds this agent's limit limits.contextSize = ${limits.contextSize}`,
        });
      }
    }
  }
  if (limits.repetitions !== null && plan.repetitions > limits.repetitions) {
    violations.push({
      path: 'repetitions',
      message: `${plan.repetitions} exceeds this agent's limit limits.repetitions = ${limits.repetitions}`,
    });
  }
  for (const [i, threads] of plan.matrix.threads.entries()) {
    if (threads !== 'auto' && threads > limits.maxThreads) {
      violations.push({
        path: `matrix.threads[${i}]`,
        message:
          `${threads} exceeds this agent's limit limits.threads = ${limits.maxThreads} ` +
          '(its logical cores unless configured): more threads than cores only starve the node',
      });
    }
  }
  if (violations.length > 0) throw new LimitExceededError(violations);
  // Counted from the axis lengths, so a plan of millions of cases costs nothing to refuse.
  const caseCount = countPlanCases(plan);
  if (caseCount > limits.maxCases) {
    throw new LimitExceededError([
      {
        path: 'matrix',
        message:
          `the plan expands to ${caseCount} cases (models × backends/devices/gpuLayers × contextSize × batchSize × ` +
          `flashAttention × kvCacheType × threads × prompts); this agent's limit limits.maxCases = ${limits.maxCases}`,
      },
    ]);
  }
}
