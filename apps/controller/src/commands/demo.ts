import type { Command } from 'commander';
import type { CliDeps } from './command-context.js';
import type { ActionBinder } from './program.js';
import { ExitCode } from './exit-codes.js';

/**
 * Slot for `rigbench demo` (issue 7): the lead replaces this file. Contract: register one `demo` command on
 * `program`, with its body wrapped in `bind` (exit code from the body, resources closed after it).
 */
export function registerDemoCommand(program: Command, bind: ActionBinder, _deps: CliDeps): void {
  program
    .command('demo')
    .description(
      'start NATS and two local agents, run a seed-shaped plan on synthetic models and report (not yet available)',
    )
    .action(
      bind(async (ctx) => {
        ctx.output.note('rigbench demo is not available in this build yet');
        return ExitCode.failure;
      }),
    );
}
