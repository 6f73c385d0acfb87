import type { Command } from 'commander';
import type { ActionBinder } from './program.js';
import { ExitCode } from './exit-codes.js';

/** Placeholder until the compare module lands: registers the options so `--help` documents them. */
export function registerCompareCommand(program: Command, bind: ActionBinder): void {
  program
    .command('compare')
    .description(
      'compare two runs (A B) per metric with confidence intervals and named fingerprint differences, or one run ' +
        'within itself (--by); exit 3 with --fail-on-regression when B is significantly slower',
    )
    .argument('<runs...>', 'run A and run B, or one run with --by')
    .option('--by <dimension>', 'compare within one run by backend, model, devices or agent')
    .option(
      '--fail-on-regression <pct>',
      'exit 3 when a metric got significantly worse by more than PCT percent',
    )
    .option('--json', 'print as JSON')
    .action(
      bind(async (ctx) => {
        ctx.output.note('compare is not available in this build yet');
        return ExitCode.failure;
      }),
    );
}
