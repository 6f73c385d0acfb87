/** A run id the store has never seen. */
export class RunNotFoundError extends Error {
  override name = 'RunNotFoundError';
  constructor(runId: string, options?: ErrorOptions) {
    super(`run '${runId}' is not in the store; 'rigbench runs' lists the known runs`, options);
  }
}

/** The store file could not be opened. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
  constructor(path: string, options?: ErrorOptions) {
    const why = options?.cause instanceof Error ? options.cause.message : 'unknown error';
    super(`cannot open store ${path}: ${why}; pass --store FILE or set RIGBENCH_STORE`, options);
  }
}
