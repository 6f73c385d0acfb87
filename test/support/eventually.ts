/** Options for {@link eventually}. */
export interface EventuallyOptions {
  /** Give up after this long, in milliseconds (default 10,000). */
  timeoutMs?: number;
  /** Pause between attempts, in milliseconds (default 25). */
  intervalMs?: number;
  /** Named in the timeout error, e.g. `'stream holds 100 messages'`. */
  description?: string;
}

/** Thrown by {@link eventually} when the condition never held; `cause` is the last failure. */
export class EventuallyTimeoutError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventuallyTimeoutError';
  }
}

/**
 * Polls `fn` until it returns without throwing and its result is not `false`, then returns that result.
 * Tests use it instead of fixed sleeps: `await eventually(async () => expect(await count()).toBe(3))`.
 */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 25, description }: EventuallyOptions = {},
): Promise<Exclude<T, false>> {
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let lastError: unknown = undefined;
  for (;;) {
    attempts += 1;
    try {
      const result = await fn();
      if (result !== false) return result as Exclude<T, false>;
      lastError = new Error('condition returned false');
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const what = description ?? 'condition';
      const why = lastError instanceof Error ? lastError.message : String(lastError);
      throw new EventuallyTimeoutError(
        `eventually: ${what} did not hold within ${timeoutMs} ms (${attempts} attempts); last failure: ${why}`,
        { cause: lastError },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
