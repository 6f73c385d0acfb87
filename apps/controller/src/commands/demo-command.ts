import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { runDemo, type CliInvoker } from '../demo/run-demo.js';
import type { CliDeps } from '../cli/command-context.js';
import type { ActionBinder } from '../cli/action-binder.js';

interface DemoCommandOptions {
  out: string;
  repetitions: number;
  keep?: boolean;
}

const parseRepetitions = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2 || n > 50)
    throw new InvalidArgumentError('repetitions must be a whole number from 2 to 50');
  return n;
};

/** `rigbench demo`: the whole system on this machine, from nothing to a report, then everything torn down. */
export function registerDemoCommand(
  program: Command,
  bind: ActionBinder,
  deps: CliDeps,
  cli: CliInvoker,
): void {
  program
    .command('demo')
    .description(
      'start nats-server and two local agents, synthesize models, run the seed-shaped plan (Q1–Q3, two models, ' +
        'every backend here) in a morning and a night round, print the report, verdicts and what changed, ' +
        'write the HTML report, and shut everything down (needs nats-server on PATH)',
    )
    .option('--out <file>', 'where to write the HTML report', 'rigbench-demo-report.html')
    .option('--repetitions <n>', 'measured repetitions per case and round (2–50)', parseRepetitions, 3)
    .option('--keep', 'keep the temporary directory (models, store, NATS data) for a look afterwards')
    .action(
      bind(async (_ctx, opts: DemoCommandOptions) =>
        runDemo(deps, { reportFile: opts.out, repetitions: opts.repetitions, keep: opts.keep === true }, cli),
      ),
    );
}
