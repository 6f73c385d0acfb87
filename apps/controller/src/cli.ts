#!/usr/bin/env node
/**
 * The `rigbench` binary. The only place that touches the process: argv, environment, signals, exit code.
 */
import { runCli } from './cli/program.js';
import { streamOutput } from './cli/output.js';
import { ExitCode } from './cli/exit-codes.js';

const abort = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  interrupts += 1;
  if (interrupts > 1) {
    // A second Ctrl-C means "now": skip the graceful path.
    process.stderr.write(`\n${signal} again: exiting without cleanup\n`);
    process.exit(ExitCode.interrupted);
  }
  abort.abort(new Error(`received ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(process.argv.slice(2), {
  output: streamOutput(process.stdout, process.stderr),
  env: process.env,
  cwd: process.cwd(),
  signal: abort.signal,
});
// Let pending writes reach the terminal or pipe, then leave even if a library still holds a handle open.
process.exitCode = code;
process.stdout.write('', () => process.exit(code));
