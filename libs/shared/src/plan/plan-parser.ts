/**
 * Reading a benchmark plan: YAML text (from a file, with line and column for every issue) or an already-decoded
 * value (a plan that arrived as JSON over gRPC, with field paths only). Both report every issue at once.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node } from 'yaml';
import { PlanValidationError } from './plan-errors.js';
import type { PlanIssue } from './plan-errors.js';
import { formatPath, translateZodIssues } from './plan-issues.js';
import type { LocatedIssue, PathSegment } from './plan-issues.js';
import type { BenchPlan } from './plan-model.js';
import { planSchema } from './plan-schema.js';

/** Anchors and aliases are allowed, but not the "billion laughs" kind. */
const MAX_ALIAS_COUNT = 100;

/** Validates and completes a decoded plan (e.g. JSON from gRPC); `source` names it in issues. */
export function validatePlan(value: unknown, source = '<plan>'): BenchPlan {
  const located = checkValue(value);
  if (located.length > 0) {
    throw new PlanValidationError(located.map((issue) => toPlanIssue(issue, source)));
  }
  return planSchema.parse(value);
}

/**
 * Parses YAML plan text and validates it. Throws `PlanValidationError` listing every problem with
 * `file:line:column`: YAML syntax errors first (then nothing else is checked), otherwise every schema issue.
 */
export function parsePlanYaml(text: string, file: string): BenchPlan {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (doc.errors.length > 0) {
    throw new PlanValidationError(
      doc.errors.map((error) => ({
        file,
        ...position(error.pos[0]),
        path: '',
        message: `YAML syntax error: ${firstLine(error.message)}`,
        expected: 'valid YAML 1.2 (check indentation, quotes and colons)',
      })),
    );
  }

  // `toJS` would turn a key like `? [a, b]` into the text "a,b" with a process warning; a plan never needs one.
  const complexKeys: PlanIssue[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) {
        complexKeys.push({
          file,
          ...position(startOf(pair.key) ?? 0),
          path: '',
          message: 'a mapping key is a list or mapping',
          expected: 'plain keys such as `backend:`',
        });
      }
    },
  });
  if (complexKeys.length > 0) throw new PlanValidationError(complexKeys);

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // Raised for alias bombs and unresolvable aliases: a plan problem, not a crash.
    throw new PlanValidationError(
      [
        {
          file,
          line: 1,
          column: 1,
          path: '',
          message: `YAML could not be read: ${firstLine(error instanceof Error ? error.message : String(error))}`,
          expected: `at most ${MAX_ALIAS_COUNT} alias expansions`,
        },
      ],
      { cause: error },
    );
  }

  const located = checkValue(value);
  if (located.length > 0) {
    const issues = located.map((issue) => ({
      ...toPlanIssue(issue, file),
      ...position(offsetOf(doc, issue.segments, issue.at)),
    }));
    // Document order, so the list reads top to bottom like the file (sort is stable for ties).
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new PlanValidationError(issues);
  }
  return planSchema.parse(value);
}

function checkValue(value: unknown): LocatedIssue[] {
  const result = planSchema.safeParse(value, { reportInput: true });
  return result.success ? [] : translateZodIssues(result.error.issues, value);
}

function toPlanIssue(issue: LocatedIssue, file: string): PlanIssue {
  return {
    file,
    path: formatPath(issue.segments),
    message: issue.message,
    ...(issue.expected === undefined ? {} : { expected: issue.expected }),
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}

/**
 * Offset of the YAML node an issue is about: the value at `segments` (or its key for unknown keys), or, when
 * the path leaves the document (a missing key), the deepest node that exists: the parent mapping.
 */
function offsetOf(doc: Document.Parsed, segments: readonly PathSegment[], at: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let offset = startOf(node) ?? 0;
  for (const [index, segment] of segments.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) break;
      const keyOffset = startOf(pair.key);
      const last = index === segments.length - 1;
      if ((last && at === 'key') || pair.value === null) {
        offset = keyOffset ?? offset;
        break;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      node = item;
    } else {
      break;
    }
    offset = startOf(node) ?? offset;
  }
  return offset;
}

function startOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}
