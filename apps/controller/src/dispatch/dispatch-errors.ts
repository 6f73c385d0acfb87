/** `run` has nobody to send the plan to. */
export class NoTargetsError extends Error {
  override name = 'NoTargetsError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** `--agents` (or the plan's `targets.agents`) names an agent the controller does not know. */
export class UnknownAgentError extends Error {
  override name = 'UnknownAgentError';
  constructor(agentId: string, known: readonly string[], options?: ErrorOptions) {
    super(
      `unknown agent '${agentId}' (known: ${known.join(', ') || 'none'}); add it to the config's agents or start ` +
        'it with NATS configured so it heartbeats',
      options,
    );
  }
}

/** One or more targets failed the pre-dispatch check; nothing was started. */
export class PreflightError extends Error {
  override name = 'PreflightError';
  readonly failures: readonly Error[];
  constructor(failures: readonly Error[], options?: ErrorOptions) {
    super(
      `not dispatched: ${failures.length} agent${failures.length === 1 ? '' : 's'} not ready:\n` +
        failures.map((f) => `  ${f.message}`).join('\n'),
      options,
    );
    this.failures = failures;
  }
}

/** StartRun failed on some agents; the run was cancelled on the others. */
export class DispatchError extends Error {
  override name = 'DispatchError';
  constructor(failures: readonly Error[], options?: ErrorOptions) {
    super(`StartRun failed:\n${failures.map((f) => `  ${f.message}`).join('\n')}`, options);
  }
}
