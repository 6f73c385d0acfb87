/** Failure modes of the inference engine, one class each; `message` is written for the person reading the report. */

/** The model file does not exist or cannot be read. */
export class ModelFileMissingError extends Error {
  override name = 'ModelFileMissingError';
  constructor(
    readonly file: string,
    options?: ErrorOptions,
  ) {
    super(`model file ${file} does not exist or cannot be read`, options);
  }
}

/** The file does not start with the GGUF magic bytes (it is some other kind of file). */
export class NotGgufFileError extends Error {
  override name = 'NotGgufFileError';
  constructor(
    readonly file: string,
    readonly firstBytes: string,
    options?: ErrorOptions,
  ) {
    super(
      `model file ${file} is not a GGUF file: it starts with ${firstBytes} instead of the magic "GGUF" ` +
        `(expected a llama.cpp .gguf model)`,
      options,
    );
  }
}

/** The file is shorter than its own header says: a download or copy that stopped early. */
export class TruncatedModelFileError extends Error {
  override name = 'TruncatedModelFileError';
  constructor(
    readonly file: string,
    readonly actualBytes: number,
    /** Bytes the header promises; null when the header itself is cut off. */
    readonly expectedBytes: number | null,
    options?: ErrorOptions,
  ) {
    super(
      expectedBytes == null
        ? `model file ${file} is truncated: its GGUF header runs past the end of the file (${actualBytes} bytes); ` +
            `re-download or re-copy the file`
        : `model file ${file} is truncated: it has ${actualBytes} bytes but its tensors need ${expectedBytes} ` +
            `bytes; re-download or re-copy the file`,
      options,
    );
  }
}

/** The file has the GGUF magic but its header or metadata cannot be parsed. */
export class CorruptModelFileError extends Error {
  override name = 'CorruptModelFileError';
  constructor(
    readonly file: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`model file ${file} is corrupt: ${detail}`, options);
  }
}

/** The worker process ended without being asked to (native crash, out of memory, exit). */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
  constructor(
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderrTail: string[],
    options?: ErrorOptions,
  ) {
    const how = signal ? `was killed by signal ${signal}` : `exited with code ${exitCode}`;
    const tail =
      stderrTail.length > 0 ? `; last stderr lines:\n${stderrTail.join('\n')}` : '; stderr was empty';
    super(`worker process ${how}${tail}`, options);
  }
}

/** A case ran past the engine's hard time limit and its worker was killed. */
export class CaseTimeoutError extends Error {
  override name = 'CaseTimeoutError';
  constructor(
    readonly caseId: string,
    readonly limitMs: number,
    options?: ErrorOptions,
  ) {
    super(`case ${caseId} ran past the hard time limit of ${limitMs} ms; its worker was killed`, options);
  }
}

/** The run was cancelled through its AbortSignal while a case was running. */
export class CaseCancelledError extends Error {
  override name = 'CaseCancelledError';
  constructor(
    readonly caseId: string,
    options?: ErrorOptions,
  ) {
    super(`cancelled: case ${caseId} was stopped by the run's AbortSignal; its worker was killed`, options);
  }
}

/** The compiled worker script is missing (the agent was run from source without `npx tsc -b`). */
export class WorkerScriptMissingError extends Error {
  override name = 'WorkerScriptMissingError';
  constructor(
    readonly tried: string[],
    options?: ErrorOptions,
  ) {
    super(
      `engine worker script not found (tried ${tried.join(', ')}); build it with \`npx tsc -b\``,
      options,
    );
  }
}

/** The worker reported an error while loading or measuring (the message comes from the worker). */
export class WorkerTaskError extends Error {
  override name = 'WorkerTaskError';
  constructor(
    readonly remoteName: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A raw test needs more KV cells than the case's context size provides. */
export class ContextTooSmallError extends Error {
  override name = 'ContextTooSmallError';
  constructor(
    readonly caseId: string,
    readonly neededTokens: number,
    readonly contextSize: number,
    options?: ErrorOptions,
  ) {
    super(
      `case ${caseId}: the case needs ${neededTokens} tokens of context (raw: depth + promptTokens + ` +
        `generatedTokens; chat: templated prompt + maxTokens) but matrix.contextSize is ${contextSize}; ` +
        `raise contextSize to at least ${neededTokens + 1}`,
      options,
    );
  }
}

/** A load whose figures would be reported under a label they do not deserve (no GPU layer, software device). */
export class LoadRefusedError extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'LoadRefusedError';
  }
}
