import { readFileSync } from 'node:fs';
import { parsePlanYaml, type BenchPlan } from '@rigbench/shared';
import { UsageError } from './exit-codes.js';

/** Reads and validates a plan file; throws `PlanValidationError` (every issue) or {@link UsageError}. */
export function readPlanFile(file: string): BenchPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read plan ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return parsePlanYaml(text, file);
}
