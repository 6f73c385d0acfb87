import type { Command } from 'commander';
import { NatsCredentialsError, PlanValidationError, formatPlanIssues } from '@rigbench/shared';
import { ControllerConfigError } from '../config/controller-config.js';
import { UnknownAgentError } from '../dispatch/dispatch-errors.js';
import { NatsUnavailableError } from '../nats/nats-connection.js';
import { RunNotFoundError } from '../store/run-store.js';
import { CommandContext, type CliDeps, type GlobalOptions } from './command-context.js';
import { ExitCode, UsageError } from './exit-codes.js';

/*
 * How a command's body becomes a commander action. Its own module (not program.ts) so that the commands, which
 * take an ActionBinder, and program.ts, which registers the commands, do not import each other.
 */

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

/**
 * The {@link ActionBinder} of one CLI invocation: each bound body gets a fresh {@link CommandContext} from the
 * global options, its exit code (or the one {@link reportError} maps its error to) goes to `setExitCode`, and
 * the context is closed whatever happens.
 */
export function actionBinder(deps: CliDeps, setExitCode: (code: number) => void): ActionBinder {
  return <A extends unknown[]>(body: CommandAction<A>) =>
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
}
