/** Too few values for the statistic asked for (e.g. a standard deviation of one value). */
export class InsufficientDataError extends Error {
  override name = 'InsufficientDataError';
  constructor(
    readonly statistic: string,
    readonly needed: number,
    readonly got: number,
    options?: ErrorOptions,
  ) {
    super(`${statistic} needs at least ${needed} value(s), got ${got}`, options);
  }
}

/** An argument outside the domain of a statistical function (e.g. a probability of 1.5). */
export class StatsDomainError extends RangeError {
  override name = 'StatsDomainError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
