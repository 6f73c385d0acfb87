import { cronProblem } from './plan-cron.js';
import { suggestClosest } from './plan-suggest.js';

describe('cronProblem', () => {
  test.each(['0 8 * * *', '*/15 8-18 * * MON-FRI', '0 0 1 jan *', '0 22 * * 7', '5,35 0-23/2 1-31 1-12 0-6'])(
    'accepts %s',
    (expression) => {
      expect(cronProblem(expression)).toBeUndefined();
    },
  );

  test.each([
    ['@daily', 'cron expression "@daily" has 1 field, needs 5'],
    ['0 8 * * * *', 'cron expression "0 8 * * * *" has 6 fields, needs 5'],
    ['60 8 * * *', 'cron field 1 (minute) "60" is out of range 0-59'],
    ['0 8 0 * *', 'cron field 3 (day of month) "0" is out of range 1-31'],
    ['0 8 * 13 *', 'cron field 4 (month) "13" is out of range 1-12 or JAN-DEC'],
    ['0 8 * * funday', 'cron field 5 (day of week) "funday" is not a value in 0-7 or SUN-SAT'],
    ['0 18-8 * * *', 'cron field 2 (hour) range "18-8" runs backwards'],
    ['*/0 8 * * *', 'cron field 1 (minute) "*/0" has step "0", needs a positive integer'],
    ['0 8, * * *', 'cron field 2 (hour) has an empty value, needs 0-23'],
    ['5/15 8 * * *', 'cron field 1 (minute) "5/15" steps from a single value; use a range (5-59/15) or */15'],
  ])('rejects %s', (expression, message) => {
    expect(cronProblem(expression)).toBe(message);
  });
});

describe('suggestClosest', () => {
  test('suggests typos, transpositions and abbreviations, not unrelated words', () => {
    expect(suggestClosest('backnd', ['backend', 'devices'])).toBe('backend');
    expect(suggestClosest('thraeds', ['threads', 'backend'])).toBe('threads');
    expect(suggestClosest('Repetitions', ['repetitions'])).toBe('repetitions');
    expect(suggestClosest('temp', ['maxTokens', 'temperature'])).toBe('temperature');
    expect(suggestClosest('colour', ['backend', 'devices', 'threads'])).toBeUndefined();
  });
});
