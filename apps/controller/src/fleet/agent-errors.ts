import { status, type ServiceError } from '@grpc/grpc-js';

/** Which gRPC call failed on which agent: the text every agent error starts with. */
const where = (agentId: string, address: string, call: string): string =>
  `agent '${agentId}' at ${address} (${call})`;

/** The agent did not answer (connection refused, deadline, TLS handshake). */
export class AgentUnreachableError extends Error {
  override name = 'AgentUnreachableError';
  constructor(agentId: string, address: string, call: string, options?: ErrorOptions) {
    const why =
      options?.cause instanceof Error ? (options.cause as ServiceError).details || options.cause.message : '';
    super(
      `${where(agentId, address, call)} is unreachable: ${why}; is rigbench-agent running and listening there?`,
      options,
    );
  }
}

/** The agent is running another run and cannot take this one. */
export class AgentBusyError extends Error {
  override name = 'AgentBusyError';
  constructor(agentId: string, address: string, activeRuns: readonly string[], options?: ErrorOptions) {
    super(
      `${where(agentId, address, 'GetInfo')} is busy with run ${activeRuns.join(', ') || '(unknown)'}; ` +
        `wait for it or 'rigbench cancel ${activeRuns[0] ?? 'RUN'}'`,
      options,
    );
  }
}

/** The agent refused the credentials (missing or wrong bearer token, TLS client certificate). */
export class AgentAuthError extends Error {
  override name = 'AgentAuthError';
  constructor(agentId: string, address: string, call: string, options?: ErrorOptions) {
    const why = options?.cause instanceof Error ? (options.cause as ServiceError).details : '';
    super(
      `${where(agentId, address, call)} refused the credentials: ${why}; set the agent's token ` +
        '(agents[].token, <agentTokensDir>/<id>.token or RIGBENCH_AGENT_TOKEN). Agents known only from ' +
        'heartbeats get no token: list them in agents[] with their address, or use agent TLS (agentTls.ca)',
      options,
    );
  }
}

/** Any other error status from an agent call, with the agent's own details. */
export class AgentCallError extends Error {
  override name = 'AgentCallError';
  readonly code: status | undefined;
  constructor(agentId: string, address: string, call: string, options?: ErrorOptions) {
    const error = options?.cause as ServiceError | undefined;
    const code = error?.code === undefined ? '' : `${status[error.code]}: `;
    super(
      `${where(agentId, address, call)} failed: ${code}${error?.details || error?.message || 'unknown error'}`,
      options,
    );
    this.code = error?.code;
  }
}

/** Maps a gRPC failure to the error class that says what to do about it. */
export function agentCallError(agentId: string, address: string, call: string, error: unknown): Error {
  const code = (error as Partial<ServiceError>).code;
  if (code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED) {
    return new AgentUnreachableError(agentId, address, call, { cause: error });
  }
  if (code === status.UNAUTHENTICATED || code === status.PERMISSION_DENIED) {
    return new AgentAuthError(agentId, address, call, { cause: error });
  }
  return new AgentCallError(agentId, address, call, { cause: error });
}
