import { Command, CommanderError } from 'commander';
import { RIGBENCH_VERSION } from '@rigbench/shared';
import { actionBinder, reportError } from './action-binder.js';
import type { CliDeps } from './command-context.js';
import { ExitCode, exitCodeHelp } from './exit-codes.js';
import { registerAgentCommands } from '../commands/agents-command.js';
import { registerCancelCommand } from '../commands/cancel-command.js';
import { registerCollectCommand } from '../commands/collect-command.js';
import { registerCompareCommand } from '../commands/compare-command.js';
import { registerConfigCommand } from '../commands/config-command.js';
import { registerDemoCommand } from '../commands/demo-command.js';
import { registerModelCommands } from '../commands/model-command.js';
import { registerPlanCommands } from '../commands/plan-command.js';
import { registerQuarantineCommand } from '../commands/quarantine-command.js';
import { registerReportCommand } from '../commands/report-command.js';
import { registerRunCommand } from '../commands/run-command.js';
import { registerRunsCommands } from '../commands/runs-command.js';
import { registerTuneCommand } from '../commands/tune-command.js';
import { registerTrendCommand } from '../commands/trend-command.js';
import { registerWatchCommand } from '../commands/watch-command.js';

/** Builds the `rigbench` command tree; `setExitCode` receives each action's result. */
export function buildProgram(deps: CliDeps, setExitCode: (code: number) => void): Command {
  const program = new Command('rigbench')
    .description('Repeatable, honest LLM inference benchmarks across a homelab fleet')
    .version(RIGBENCH_VERSION, '-V, --version')
    .option('--config <file>', 'controller config file (JSON or YAML); env RIGBENCH_* overrides it')
    .option('--store <file>', 'SQLite store file (default: ~/.local/share/rigbench/rigbench.db)')
    .option('--nats <urls>', 'NATS server URLs, comma-separated (default nats://127.0.0.1:4222)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', exitCodeHelp())
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.output.write(text),
      writeErr: (text) => deps.output.stderr.write(text),
    });

  const bind = actionBinder(deps, setExitCode);

  registerAgentCommands(program, bind);
  registerPlanCommands(program, bind);
  registerRunCommand(program, bind);
  registerWatchCommand(program, bind);
  registerRunsCommands(program, bind);
  registerCancelCommand(program, bind);
  registerReportCommand(program, bind);
  registerCompareCommand(program, bind);
  registerTuneCommand(program, bind);
  registerTrendCommand(program, bind);
  registerCollectCommand(program, bind);
  registerQuarantineCommand(program, bind);
  registerModelCommands(program, bind);
  registerConfigCommand(program, bind);
  registerDemoCommand(program, bind, deps, (args, output) => runCli(args, { ...deps, output }));
  for (const command of program.commands) applySubcommandSettings(command, deps);
  return program;
}

/** Subcommands inherit the error handling of the root: usage errors become exit code 2, not process.exit. */
function applySubcommandSettings(command: Command, deps: CliDeps): void {
  command
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', exitCodeHelp());
  command.configureOutput({
    writeOut: (text) => deps.output.write(text),
    writeErr: (text) => deps.output.stderr.write(text),
  });
  for (const sub of command.commands) applySubcommandSettings(sub, deps);
}

/** Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(deps, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
      // commander already printed the message.
      return ExitCode.usage;
    }
    return reportError(deps, error);
  }
  return exitCode;
}
