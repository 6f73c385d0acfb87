import { describe, expect, test } from '@jest/globals';
import { Cron } from 'croner';
import fc from 'fast-check';
import { PlanValidationError, validatePlan } from '@rigbench/shared';

/** A plan whose only schedule entry is `cron`; null when plan validation refuses it. */
function validatedCron(cron: string): string | null {
  try {
    return validatePlan({
      version: 1,
      name: 'p',
      models: [{ id: 'm', source: 'm.gguf' }],
      prompts: { chat: [{ id: 'q', text: 'hi' }] },
      schedule: [{ cron }],
    }).schedule[0]!.cron;
  } catch (error) {
    if (error instanceof PlanValidationError) return null;
    throw error;
  }
}

const field = (min: number, max: number, names: readonly string[] = []) =>
  fc.oneof(
    fc.constant('*'),
    fc.integer({ min, max }).map(String),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
      .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: Math.max(1, max - min) }))
      .map(([a, s]) => `${a}/${s}`),
    fc.integer({ min: 1, max: Math.max(1, max - min) }).map((s) => `*/${s}`),
    fc.uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 4 }).map((xs) => xs.join(',')),
    ...(names.length > 0 ? [fc.constantFrom(...names)] : []),
  );

describe('plan check and the scheduler agree on cron', () => {
  test('every expression plan validation accepts, croner (the scheduler) accepts too', () => {
    const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
    const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    fc.assert(
      fc.property(
        fc.tuple(field(0, 59), field(0, 23), field(1, 31), field(1, 12, months), field(0, 7, days)),
        (parts) => {
          const cron = validatedCron(parts.join(' '));
          if (cron === null) return;
          expect(() => new Cron(cron, { paused: true, mode: '5-part' })).not.toThrow();
        },
      ),
      { numRuns: 2000, seed: 20261201 },
    );
  });

  test('what plan validation refuses never reaches the scheduler: out-of-range fields and wrong field counts', () => {
    for (const cron of [
      '60 * * * *',
      '* 24 * * *',
      '* * 0 * *',
      '* * * 13 *',
      '* * * * 8',
      '* * * *',
      '0 0 * * * *',
    ])
      expect(validatedCron(cron)).toBeNull();
  });
});
