import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSynthModel } from '@rigbench/shared';

/**
 * Synthesizes the tiny model in `modelsDir` (once: ensureSynthModel caches it) and returns its file name there,
 * which is what a plan's `source:` names for an agent started with `--models-dir modelsDir`.
 */
export async function tinyModelSource(modelsDir: string): Promise<string> {
  const modelPath = await ensureSynthModel(modelsDir, 'tiny');
  return modelPath.slice(modelsDir.length + 1);
}

/**
 * Writes `plan` to `<dir>/plan.yaml` with `MODEL` replaced by the tiny model synthesized in `<dir>/models`, as the
 * end-to-end tests give one plan to agents started with `--models-dir <dir>/models`.
 */
export async function writeTinyModelPlan(
  dir: string,
  plan: string,
): Promise<{ modelsDir: string; planFile: string }> {
  const modelsDir = join(dir, 'models');
  const planFile = join(dir, 'plan.yaml');
  writeFileSync(planFile, plan.replace('MODEL', await tinyModelSource(modelsDir)));
  return { modelsDir, planFile };
}
