/** Exit codes of the `rigbench` CLI: one table for every command (README and `rigbench --help` print it). */
export const ExitCode = {
  ok: 0,
  /** Something failed (agent unreachable, store error, a StartRun or CancelRun refused). */
  failure: 1,
  /** Bad command line, bad plan, bad configuration, unknown agent or run. */
  usage: 2,
  /** `compare --fail-on-regression` found a significant slowdown. */
  regression: 3,
  /** The run is incomplete (or still running): data is missing. */
  incomplete: 4,
  /** The run is complete but at least one case failed (its reason is in `rigbench show` and the report). */
  casesFailed: 5,
  /** NATS could not be reached or refused the credentials. */
  natsUnavailable: 6,
  /** Interrupted by SIGINT / SIGTERM. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One row of the documented exit-code table. */
export interface ExitCodeRow {
  code: ExitCode;
  meaning: string;
}

/** The table every command shares, in the order `--help` and the README print it. */
export const EXIT_CODE_TABLE: readonly ExitCodeRow[] = [
  { code: ExitCode.ok, meaning: 'success (a run: complete, no failed case)' },
  { code: ExitCode.failure, meaning: 'failure: agent unreachable or refusing, store error, anything else' },
  { code: ExitCode.usage, meaning: 'bad command line, plan or config; unknown agent or run' },
  { code: ExitCode.regression, meaning: 'compare --fail-on-regression: a significant slowdown' },
  { code: ExitCode.incomplete, meaning: 'run incomplete or still running: data is missing' },
  { code: ExitCode.casesFailed, meaning: 'run complete, but at least one case failed' },
  { code: ExitCode.natsUnavailable, meaning: 'NATS unreachable or refused the credentials' },
  { code: ExitCode.interrupted, meaning: 'interrupted (Ctrl-C, SIGTERM)' },
];

/** The exit-code table as `--help` prints it. */
export function exitCodeHelp(): string {
  const rows = EXIT_CODE_TABLE.map(({ code, meaning }) => `  ${String(code).padStart(3)}  ${meaning}`);
  return ['', 'Exit codes (every command):', ...rows, ''].join('\n');
}

/** A problem with what the user typed or wrote (exit code 2); the message says what would be valid. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
