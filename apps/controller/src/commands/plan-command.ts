import type { Command } from 'commander';
import {
  countPlanCases,
  expandPlan,
  formatPlanIssues,
  formatPlanSummary,
  planSummary,
  PlanValidationError,
} from '@rigbench/shared';
import type { ActionBinder } from '../cli/action-binder.js';
import { ExitCode } from '../cli/exit-codes.js';
import { readPlanFile } from '../cli/plan-file.js';

/**
 * Most cases `plan check` expands; past it the count (from the axis lengths) is reported instead, since building
 * millions of cases would exhaust memory. Agents refuse far fewer (their `limits.maxCases`, 10,000 by default).
 */
export const PLAN_CHECK_MAX_CASES = 1_000_000;

export function registerPlanCommands(program: Command, bind: ActionBinder): void {
  const plan = program.command('plan').description('work with benchmark plans');
  plan
    .command('check')
    .description('validate a plan file and show what it expands to; lists every problem at once (exit 2)')
    .argument('<file>', 'plan YAML file')
    .option('--json', 'print the summary (or the issues) as JSON')
    .action(
      bind(async (ctx, file: string, opts: { json?: boolean }) => {
        try {
          const parsed = readPlanFile(file);
          const count = countPlanCases(parsed);
          if (count > PLAN_CHECK_MAX_CASES) {
            ctx.output.note(
              `${file}: valid, but it expands to ${count} cases (more than ${PLAN_CHECK_MAX_CASES}); agents refuse ` +
                'plans above their limits.maxCases (10000 by default): shorten the matrix axes or the prompt lists',
            );
            return ExitCode.usage;
          }
          const cases = expandPlan(parsed);
          const summary = planSummary(parsed, cases);
          if (opts.json) ctx.output.json({ valid: true, file, summary, caseIds: cases.map((c) => c.caseId) });
          else {
            ctx.output.line(`${file}: valid, ${cases.length} cases`);
            for (const line of formatPlanSummary(summary)) ctx.output.line(line);
          }
          return ExitCode.ok;
        } catch (error) {
          if (!(error instanceof PlanValidationError)) throw error;
          if (opts.json) ctx.output.json({ valid: false, file, issues: error.issues });
          else {
            const lines = formatPlanIssues(error);
            ctx.output.note(`${file}: ${lines.length} problem${lines.length === 1 ? '' : 's'}`);
            for (const line of lines) ctx.output.note(line);
          }
          return ExitCode.usage;
        }
      }),
    );
}
