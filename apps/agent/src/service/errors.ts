/** One problem with a StartRun request, located by its field path in the plan (`''` for the plan as a whole). */
export interface RunRequestViolation {
  /** Field path, e.g. `matrix.contextSize[1]`, `run_id`, `models[0].source`. */
  path: string;
  message: string;
}

/** The plan (or the request around it) is invalid; every violation is listed. */
export class PlanRejectedError extends Error {
  override name = 'PlanRejectedError';
  constructor(
    readonly violations: readonly RunRequestViolation[],
    options?: ErrorOptions,
  ) {
    super(
      `plan rejected: ${violations.map((v) => `${v.path === '' ? '(plan)' : v.path}: ${v.message}`).join('; ')}`,
      options,
    );
  }
}

/** The plan asks for more than this agent's configured limits allow. */
export class LimitExceededError extends PlanRejectedError {
  override name = 'LimitExceededError';
}

/** A model the plan names is not available to this agent; `path` is the plan field. */
export class RunModelError extends Error {
  override name = 'RunModelError';
  constructor(
    readonly path: string,
    /** True when the file simply does not exist (NOT_FOUND) rather than being refused (INVALID_ARGUMENT). */
    readonly notFound: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${message}`, options);
  }
}

/** The agent already runs as many runs as it may; names the active runs. */
export class AgentBusyError extends Error {
  override name = 'AgentBusyError';
  constructor(
    readonly activeRunIds: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`agent busy: run ${activeRunIds.join(', ')} is active; retry when it has finished`, options);
  }
}

/** No run with this id is known (never started here, or evicted from memory). */
export class RunNotFoundError extends Error {
  override name = 'RunNotFoundError';
  constructor(
    readonly runId: string,
    options?: ErrorOptions,
  ) {
    super(
      `run ${runId} is not known to this agent (never started here, or no longer kept in memory)`,
      options,
    );
  }
}

/** A run with this id was already started on this agent. */
export class RunExistsError extends Error {
  override name = 'RunExistsError';
  constructor(
    readonly runId: string,
    options?: ErrorOptions,
  ) {
    super(`run ${runId} already exists on this agent; choose a new run id`, options);
  }
}

/** The agent is shutting down and takes no new runs. */
export class AgentShuttingDownError extends Error {
  override name = 'AgentShuttingDownError';
  constructor(options?: ErrorOptions) {
    super('agent is shutting down and accepts no new runs', options);
  }
}
