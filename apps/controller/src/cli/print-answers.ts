import { buildAnswers } from '../answers/build-answers.js';
import { splitAnswers } from '../answers/render-answers.js';
import { buildRunDataset } from '../store/build-run-dataset.js';
import type { CommandContext } from './command-context.js';

/** Most answer lines printed at the end of a run; the report has all of them. */
const MAX_PRINTED = 20;

/**
 * The answers of a finished run, printed after its progress (`rigbench run` and friends): the overall line of
 * every axis the plan varies, then where to find the rest. Problems building them are a note, never a failure of
 * the run itself.
 */
export function printRunAnswers(ctx: Pick<CommandContext, 'output' | 'store'>, runId: string): void {
  const { output } = ctx;
  let lines: string[];
  try {
    const { overall, perPrompt } = splitAnswers(buildAnswers([buildRunDataset(ctx.store, runId)]));
    lines = overall.map((a) => a.text);
    if (lines.length === 0) {
      output.line('answers: no axis of this plan has measurements on two sides yet');
      return;
    }
    output.line('answers:');
    for (const line of lines.slice(0, MAX_PRINTED)) output.line(`  ${line}`);
    const more = lines.length - MAX_PRINTED + perPrompt.length;
    output.line(
      `  (${more > 0 ? `${more} more, per prompt, ` : ''}in 'rigbench report ${runId}'; ` +
        `add earlier runs of the plan as more rounds: 'rigbench report RUN… ${runId}')`,
    );
  } catch (error) {
    output.note(`answers: not available (${(error as Error).message})`);
  }
}
