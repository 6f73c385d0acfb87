/** Exit codes of the `rigbench` CLI. */
export const ExitCode = {
  ok: 0,
  /** Something failed (agent unreachable, NATS down, store error). */
  failure: 1,
  /** Bad command line, bad plan, bad configuration. */
  usage: 2,
  /** `compare --fail-on-regression` found a significant slowdown. */
  regression: 3,
  /** The run is incomplete (or still running): data is missing. */
  incomplete: 4,
  /** Interrupted by SIGINT / SIGTERM. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A problem with what the user typed or wrote (exit code 2); the message says what would be valid. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
