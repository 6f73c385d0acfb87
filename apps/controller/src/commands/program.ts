import { Command, CommanderError } from 'commander';
import {
  RIGBENCH_VERSION,
  NatsCredentialsError,
  PlanValidationError,
  formatPlanIssues,
} from '@rigbench/shared';
import { ControllerConfigError } from '../config/controller-config.js';
import { CommandContext, type CliDeps, type GlobalOptions } from './command-context.js';
import { UnknownAgentError } from '../dispatch/dispatch-errors.js';
import { NatsUnavailableError } from '../nats/nats-connection.js';
import { RunNotFoundError } from '../store/run-store.js';
import { ExitCode, UsageError, exitCodeHelp } from './exit-codes.js';
import { registerAgentCommands } from './agents-command.js';
import { registerCancelCommand } from './cancel-command.js';
import { registerCollectCommand } from './collect-command.js';
import { registerCompareCommand } from './compare-command.js';
import { registerConfigCommand } from './config-command.js';
import { registerDemoCommand } from './demo.js';
import { registerModelCommands } from './model-command.js';
import { registerPlanCommands } from './plan-command.js';
import { registerQuarantineCommand } from './quarantine-command.js';
import { registerReportCommand } from './report-command.js';
import { registerRunCommand } from './run-command.js';
import { registerRunsCommands } from './runs-command.js';
import { registerTuneCommand } from './tune-command.js';
import { registerTrendCommand } from './trend-command.js';
import { registerWatchCommand } from './watch-command.js';

/** A command's body: returns the exit code. */
export type CommandAction<A extends unknown[]> = (ctx: CommandContext, ...args: A) => Promise<number>;

/**
 * Wraps a command body for commander: builds the {@link CommandContext} from the global options, runs the body,
 * records its exit code and always closes what the body opened.
 */
export type ActionBinder = <A extends unknown[]>(
  body: CommandAction<A>,
) => (...args: unknown[]) => Promise<void>;

/** Maps an error to its exit code and prints it (one line, no stack: these are for people). */
export function reportError(deps: CliDeps, error: unknown): number {
  if (error instanceof PlanValidationError) {
    for (const line of formatPlanIssues(error)) deps.output.note(`error: ${line}`);
    return ExitCode.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  deps.output.note(`error: ${message}`);
  if (
    error instanceof UsageError ||
    error instanceof ControllerConfigError ||
    error instanceof NatsCredentialsError ||
    error instanceof UnknownAgentError ||
    error instanceof RunNotFoundError
  )
    return ExitCode.usage;
  if (error instanceof NatsUnavailableError) return ExitCode.natsUnavailable;
  return ExitCode.failure;
}

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

  const bind: ActionBinder =
    <A extends unknown[]>(body: CommandAction<A>) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const ctx = new CommandContext(deps, command.optsWithGlobals<GlobalOptions>());
      try {
        setExitCode(await body(ctx, ...(args.slice(0, -1) as A)));
      } catch (error) {
        setExitCode(reportError(deps, error));
      } finally {
        await ctx.close();
      }
    };

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
