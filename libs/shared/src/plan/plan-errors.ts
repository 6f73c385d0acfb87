/** One problem found in a benchmark plan, located as precisely as the input allows. */
export interface PlanIssue {
  /** The plan's file name, or a label for where a JSON plan came from (e.g. `grpc:StartRun`). */
  file: string;
  /** 1-based line of the offending YAML node; absent for plans that arrived as JSON. */
  line?: number;
  /** 1-based column of the offending YAML node; absent for plans that arrived as JSON. */
  column?: number;
  /** Field path in the plan, e.g. `matrix.threads[1]`; empty for the plan as a whole or a YAML syntax error. */
  path: string;
  /** What is wrong, naming the offending value. */
  message: string;
  /** What would be valid there, when that can be said. */
  expected?: string;
}

/** A benchmark plan failed YAML parsing or validation; `issues` holds every problem found, not just the first. */
export class PlanValidationError extends Error {
  override readonly name = 'PlanValidationError';
  readonly issues: readonly PlanIssue[];

  constructor(issues: readonly PlanIssue[], options?: ErrorOptions) {
    const first = issues[0];
    const head = first === undefined ? 'invalid plan' : formatPlanIssue(first);
    const more =
      issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
    super(`${head}${more}`, options);
    this.issues = issues;
  }
}

/** One issue as one human-readable line: `file:line:column  path  message (expected …)`. */
export function formatPlanIssue(issue: PlanIssue): string {
  const place = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const path = issue.path === '' ? '(plan)' : issue.path;
  const expected = issue.expected === undefined ? '' : ` (expected ${issue.expected})`;
  return `${place}  ${path}  ${issue.message}${expected}`;
}

/** Every issue of a failed plan as human-readable lines, in document order (what `rigbench plan check` prints). */
export function formatPlanIssues(error: PlanValidationError): string[] {
  return error.issues.map(formatPlanIssue);
}
