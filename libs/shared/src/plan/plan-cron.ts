/**
 * Checks a standard 5-field cron expression (minute hour day-of-month month day-of-week) without evaluating it:
 * the controller's scheduler (`rigbench collect --plans`, croner) does that; this catches a typo when the plan is
 * checked, with a message naming the field. A property test (apps/controller/src/schedule/cron-agreement.test.ts)
 * holds that every expression accepted here is accepted by croner.
 */

interface CronField {
  name: string;
  min: number;
  max: number;
  /** Three-letter names accepted in place of numbers (JAN=1…, SUN=0…). */
  names?: readonly string[];
  nameBase?: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  // 7 is Sunday too, as in Vixie cron.
  { name: 'day of week', min: 0, max: 7, names: DAYS, nameBase: 0 },
];

/** Returns why `expression` is not a valid 5-field cron expression, or `undefined` when it is. */
export function cronProblem(expression: string): string | undefined {
  const parts = expression
    .trim()
    .split(/\s+/)
    .filter((part) => part.length > 0);
  if (parts.length !== FIELDS.length) {
    return `cron expression "${expression}" has ${parts.length} field${parts.length === 1 ? '' : 's'}, needs 5`;
  }
  for (const [index, field] of FIELDS.entries()) {
    const problem = fieldProblem(parts[index] ?? '', field);
    if (problem !== undefined) return `cron field ${index + 1} (${field.name}) ${problem}`;
  }
  return undefined;
}

function fieldProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    const [range = '', step, extra] = item.split('/');
    if (extra !== undefined) return `"${item}" has more than one "/"`;
    if (step !== undefined && !/^[1-9]\d*$/.test(step))
      return `"${item}" has step "${step}", needs a positive integer`;
    if (range === '*') continue;
    const [low = '', high, tooMany] = range.split('-');
    if (tooMany !== undefined) return `"${item}" is not a range a-b`;
    // Vixie cron (and croner, which runs the schedule) step only over a range or "*": "5/15" is not cron.
    if (step !== undefined && high === undefined)
      return `"${item}" steps from a single value; use a range (${low}-${field.max}/${step}) or */${step}`;
    const lowValue = fieldValue(low, field);
    if (lowValue === undefined) return valueMessage(low, field);
    if (high === undefined) continue;
    const highValue = fieldValue(high, field);
    if (highValue === undefined) return valueMessage(high, field);
    if (highValue < lowValue) return `range "${range}" runs backwards`;
  }
  return undefined;
}

function fieldValue(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return value >= field.min && value <= field.max ? value : undefined;
  }
  const nameIndex = field.names?.indexOf(text.toLowerCase()) ?? -1;
  return nameIndex >= 0 ? nameIndex + (field.nameBase ?? 0) : undefined;
}

function valueMessage(text: string, field: CronField): string {
  const names =
    field.names === undefined
      ? ''
      : ` or ${field.names[0]?.toUpperCase()}-${field.names.at(-1)?.toUpperCase()}`;
  if (text === '') return `has an empty value, needs ${field.min}-${field.max}${names}`;
  if (/^\d+$/.test(text)) return `"${text}" is out of range ${field.min}-${field.max}${names}`;
  return `"${text}" is not a value in ${field.min}-${field.max}${names}`;
}
