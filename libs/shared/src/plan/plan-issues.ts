/**
 * Turns zod issues into plan issues a person can act on: the field path as written in the plan, a message that
 * names the offending value, and what would be valid there. Positions are added later by the YAML parser.
 */
import type { z } from 'zod';
import { PLAN_FIELD_EXPECTATIONS, PLAN_OBJECT_KEYS } from './plan-schema.js';
import { suggestClosest } from './plan-suggest.js';

export type PathSegment = string | number;

/** A plan issue before it is given a file and position. */
export interface LocatedIssue {
  /** Segments into the plan value, e.g. `['matrix', 'threads', 1]`. */
  segments: PathSegment[];
  message: string;
  expected?: string;
  /** Which YAML node to point at: the key of the last segment (unknown keys), or the value (the default). */
  at: 'key' | 'value';
}

type ZodIssue = z.core.$ZodIssue;

/** `['matrix', 'threads', 1]` → `matrix.threads[1]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** The path with list indexes as `[]` and selector labels as `*`: the key of the expectation tables. */
function tableKey(segments: readonly PathSegment[]): string {
  let out = '';
  for (const [index, segment] of segments.entries()) {
    if (typeof segment === 'number') out += '[]';
    else if (index === 2 && segments[0] === 'targets' && segments[1] === 'selector') out += '.*';
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

function expectedAt(segments: readonly PathSegment[]): string | undefined {
  return PLAN_FIELD_EXPECTATIONS[tableKey(segments)];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value as it would appear in a message: `"rocm"`, `0`, `a list`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/**
 * Where a zod path leaves the value the user wrote: the axis shorthand wraps a scalar in a list, so
 * `threads: 0` fails at `threads[0]`, which the user never wrote. Such paths are cut back to the scalar.
 * Returns the path to report and whether its last key is absent from an existing mapping.
 */
function resolveAgainstInput(
  input: unknown,
  segments: readonly PathSegment[],
): { segments: PathSegment[]; missing: boolean; shorthand: boolean } {
  let current: unknown = input;
  for (const [index, segment] of segments.entries()) {
    if (Array.isArray(current) && typeof segment === 'number') {
      current = current[segment];
      continue;
    }
    if (isRecord(current) && typeof segment === 'string') {
      if (!Object.hasOwn(current, segment)) {
        return {
          segments: segments.slice(0, index + 1),
          missing: index === segments.length - 1,
          shorthand: false,
        };
      }
      current = current[segment];
      continue;
    }
    return { segments: segments.slice(0, index), missing: false, shorthand: segment === 0 };
  }
  return { segments: [...segments], missing: false, shorthand: false };
}

function lastName(segments: readonly PathSegment[]): string {
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i];
    if (typeof segment === 'string') return segment;
  }
  return 'value';
}

function boundMessage(issue: ZodIssue & { code: 'too_small' | 'too_big' }, input: unknown): string {
  const small = issue.code === 'too_small';
  const bound = Number(
    small ? (issue as { minimum: unknown }).minimum : (issue as { maximum: unknown }).maximum,
  );
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'array' || issue.origin === 'set') {
    if (small && bound === 1) return 'must not be empty';
    return `must have ${small ? 'at least' : 'at most'} ${bound} item${bound === 1 ? '' : 's'}`;
  }
  if (issue.origin === 'string') {
    if (small && bound === 1) return 'must not be empty';
    return `must be ${small ? 'at least' : 'at most'} ${bound} characters long`;
  }
  const relation = small ? (inclusive ? 'at least' : 'greater than') : inclusive ? 'at most' : 'less than';
  return `must be ${relation} ${bound}, got ${describeValue(input)}`;
}

/** Translates one zod issue (from a parse of `input` with `reportInput`) into located plan issues. */
function translate(issue: ZodIssue, input: unknown): LocatedIssue[] {
  const zodPath = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
  const { segments, missing, shorthand } = resolveAgainstInput(input, zodPath);
  const value = (issue as { input?: unknown }).input;
  // A shorthand scalar failed as a list item: say what one item may be.
  const expected = (shorthand ? expectedAt([...segments, 0]) : undefined) ?? expectedAt(segments);

  if (issue.code === 'unrecognized_keys') {
    const allowed = PLAN_OBJECT_KEYS[tableKey(segments)] ?? [];
    return issue.keys.map((key) => {
      const suggestion = suggestClosest(key, allowed);
      return {
        segments: [...segments, key],
        message: `unknown key "${key}"${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`,
        ...(allowed.length > 0 ? { expected: `one of ${allowed.join(', ')}` } : {}),
        at: 'key',
      };
    });
  }

  const located = (message: string, at: 'key' | 'value' = 'value', override?: string): LocatedIssue => {
    const text = override ?? expected;
    return { segments, message, at, ...(text === undefined ? {} : { expected: text }) };
  };

  // Refinements may point at a key that was defaulted; only a failed type check of nothing means "missing".
  if (missing && value === undefined && issue.code !== 'custom') {
    return [located(`missing required key "${lastName(segments)}"`)];
  }

  switch (issue.code) {
    case 'invalid_type': {
      const word = TYPE_WORDS[issue.expected] ?? issue.expected;
      return [located(`must be ${word}, got ${describeValue(value)}`)];
    }
    case 'too_small':
    case 'too_big': {
      // zod's implicit safe-integer bound repeats an explicit, tighter one reported beside it.
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      if (Math.abs(bound) === Number.MAX_SAFE_INTEGER) return [];
      return [located(boundMessage(issue, value))];
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => (typeof v === 'string' ? v : String(v)));
      if (values.length === 1) return [located(`must be ${values[0]}, got ${describeValue(value)}`)];
      const suggestion = typeof value === 'string' ? suggestClosest(value, values) : undefined;
      const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
      return [
        located(
          `unknown ${lastName(segments)} ${describeValue(value)}${hint}`,
          'value',
          expected ?? `one of ${values.join(', ')}`,
        ),
      ];
    }
    case 'invalid_format':
      return [located(`${describeValue(value)} is not a valid ${lastName(segments)}`)];
    case 'invalid_key':
      return [
        located(
          `label key ${describeValue(value ?? segments.at(-1))} is not valid`,
          'key',
          'a label key of letters, digits, ".", "_", "/" or "-"',
        ),
      ];
    case 'not_multiple_of':
      return [located(`must be a multiple of ${String(issue.divisor)}, got ${describeValue(value)}`)];
    case 'custom': {
      const params = issue.params as { expected?: unknown } | undefined;
      const fromParams = typeof params?.expected === 'string' ? params.expected : undefined;
      return [located(issue.message, 'value', fromParams ?? expected)];
    }
    case 'invalid_union':
      return [located(`${describeValue(value)} is not valid here`)];
    default:
      return [located(issue.message)];
  }
}

/** Translates every zod issue of a failed parse of `input` into located plan issues, duplicates removed. */
export function translateZodIssues(issues: readonly ZodIssue[], input: unknown): LocatedIssue[] {
  const out: LocatedIssue[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    for (const located of translate(issue, input)) {
      const key = `${formatPath(located.segments)}\u0000${located.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(located);
    }
  }
  return out;
}
