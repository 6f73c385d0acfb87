import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parsePlanYaml, PlanValidationError, validatePlan, type PlanIssue } from '@rigbench/shared';
import { recordFigure } from './support/figures.js';
import { absurdPlans, fuzzedYamlPlans } from './support/malformed-plans.js';

const SECTION = 60;
const SCENARIO = 'Bad input: malformed plans (seeded fast-check)';
const CLI = resolve('apps/controller/dist/cli.js');

interface Tally {
  plans: number;
  rejected: number;
  accepted: number;
  crashes: string[];
  issues: number;
  documentLevel: number;
  withoutLine: number;
  withoutField: number;
}

/**
 * A document-level issue (YAML syntax error, alias bomb, complex key, a document that is not a mapping at all)
 * has no field to name: it is reported on the plan as a whole, `(plan)`, still with its line and column.
 */
const documentLevel = (issue: PlanIssue): boolean =>
  issue.path === '' && /^(YAML |a mapping key|must be a mapping)/.test(issue.message);

function tally(inputs: readonly unknown[], read: (input: unknown) => unknown, yaml: boolean): Tally {
  const t: Tally = {
    plans: 0,
    rejected: 0,
    accepted: 0,
    crashes: [],
    issues: 0,
    documentLevel: 0,
    withoutLine: 0,
    withoutField: 0,
  };
  for (const input of inputs) {
    t.plans += 1;
    try {
      read(input);
      t.accepted += 1;
    } catch (error) {
      if (!(error instanceof PlanValidationError) || error.issues.length === 0) {
        t.crashes.push(`${(error as Error).name}: ${(error as Error).message}`);
        continue;
      }
      t.rejected += 1;
      for (const issue of error.issues) {
        t.issues += 1;
        if (yaml && !(typeof issue.line === 'number' && issue.line >= 1 && (issue.column ?? 0) >= 1))
          t.withoutLine += 1;
        if (documentLevel(issue)) t.documentLevel += 1;
        else if (issue.path === '') t.withoutField += 1;
      }
    }
  }
  return t;
}

const fuzzed = fuzzedYamlPlans(1200);
const absurd = absurdPlans(600);

test('bad plans - 2,400 generated malformed plans: no crash, every issue names its field and its line', () => {
  const fromYaml = tally(fuzzed, (text) => parsePlanYaml(text as string, 'fuzz.yaml'), true);
  const absurdYaml = tally(
    absurd.map((p) => p.yaml),
    (text) => parsePlanYaml(text as string, 'absurd.yaml'),
    true,
  );
  const absurdJson = tally(
    absurd.map((p) => p.value),
    (value) => validatePlan(value, 'grpc:StartRun'),
    false,
  );
  const all = [fromYaml, absurdYaml, absurdJson];
  const sum = (pick: (t: Tally) => number): number => all.reduce((n, t) => n + pick(t), 0);
  const crashes = all.flatMap((t) => t.crashes);

  recordFigure({
    section: SECTION,
    scenario: SCENARIO,
    measure: 'plans generated (fuzzed YAML / absurd values as YAML / as JSON)',
    expected: '≥ 1,000',
    observed: `${sum((t) => t.plans)} (${fromYaml.plans} / ${absurdYaml.plans} / ${absurdJson.plans})`,
    ok: sum((t) => t.plans) >= 1000,
  });
  recordFigure({
    section: SECTION,
    scenario: SCENARIO,
    measure: 'rejected with PlanValidationError / accepted as valid',
    expected: 'rejected ≥ 1,000',
    observed: `${sum((t) => t.rejected)} / ${sum((t) => t.accepted)}`,
    ok: sum((t) => t.rejected) >= 1000,
  });
  recordFigure({
    section: SECTION,
    scenario: SCENARIO,
    measure: 'crashes (any other exception)',
    expected: '0',
    observed: crashes.length,
    ok: crashes.length === 0,
  });
  recordFigure({
    section: SECTION,
    scenario: SCENARIO,
    measure:
      'issues reported (of them on the whole document: YAML syntax, not a mapping) / ' +
      'without line:column (YAML input) / field issues without a field path',
    expected: '0 without either',
    observed:
      `${sum((t) => t.issues)} (${sum((t) => t.documentLevel)}) / ` +
      `${fromYaml.withoutLine + absurdYaml.withoutLine} / ${sum((t) => t.withoutField)}`,
    ok: fromYaml.withoutLine + absurdYaml.withoutLine === 0 && sum((t) => t.withoutField) === 0,
  });

  expect(crashes).toEqual([]);
  expect(sum((t) => t.rejected)).toBeGreaterThanOrEqual(1000);
  expect(fromYaml.withoutLine + absurdYaml.withoutLine).toBe(0);
  expect(sum((t) => t.withoutField)).toBe(0);
});

test('bad plans - rigbench plan check exits 2 and prints file:line:column and the field for each', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rigbench-faults-plans-'));
  // A sample through the real CLI process: the same parser, plus the process edge (exit code, stderr).
  const sample = absurd.slice(0, 12);
  let exit2 = 0;
  let located = 0;
  for (const [i, plan] of sample.entries()) {
    const file = join(dir, `absurd-${i}.yaml`);
    writeFileSync(file, plan.yaml);
    const result = spawnSync(process.execPath, [CLI, 'plan', 'check', file], { encoding: 'utf8' });
    let expectedIssue: PlanIssue | undefined;
    try {
      parsePlanYaml(plan.yaml, file);
    } catch (error) {
      expectedIssue = (error as PlanValidationError).issues[0];
    }
    if (expectedIssue === undefined) continue;
    if (result.status === 2) exit2 += 1;
    const where = `${file}:${expectedIssue.line}:${expectedIssue.column}`;
    if (result.stderr.includes(where) && result.stderr.includes(expectedIssue.path)) located += 1;
    else throw new Error(`plan check did not name ${where} ${expectedIssue.path}:\n${result.stderr}`);
  }
  recordFigure({
    section: SECTION,
    scenario: SCENARIO,
    measure: '`rigbench plan check` on absurd plans: exit 2 / naming file:line:col and field',
    expected: `all of ${sample.length}`,
    observed: `${exit2} / ${located}`,
    ok: exit2 === located && located > 0,
  });
  expect(located).toBeGreaterThan(0);
  expect(exit2).toBe(located);
});
