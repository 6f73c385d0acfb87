/* global process, console */
/**
 * Jest reporter of the fault suite: clears the figures file before the run, and after it prints every figure the
 * tests recorded (support/figures.ts) as one table on stdout and writes it to docs/reliability-last-run.md.
 * Every number in the table comes from this run; a scenario whose test failed is marked so.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cpus } from 'node:os';
import * as prettier from 'prettier';

const COMMAND = 'npm run test:faults';

export default class FiguresReporter {
  constructor(globalConfig) {
    this.root = globalConfig.rootDir;
    this.figuresFile = join(this.root, 'tmp/faults/figures.jsonl');
    this.docFile = join(this.root, 'docs/reliability-last-run.md');
    this.startedAt = Date.now();
  }

  onRunStart() {
    this.startedAt = Date.now();
    mkdirSync(dirname(this.figuresFile), { recursive: true });
    rmSync(this.figuresFile, { force: true });
  }

  async onRunComplete(_contexts, results) {
    const figures = existsSync(this.figuresFile)
      ? readFileSync(this.figuresFile, 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line))
      : [];
    const order = figures.map((f, i) => ({ f, i }));
    order.sort((a, b) => a.f.section - b.f.section || a.i - b.i);
    const cell = (value) => String(value).replaceAll('|', '\\|').replaceAll('\n', ' ');
    const rows = order.map(({ f }) =>
      [f.scenario, f.measure, f.expected, f.observed, f.ok ? 'ok' : 'FAIL'].map(cell),
    );
    const failedTests = results.testResults.flatMap((file) =>
      file.testResults.filter((t) => t.status === 'failed').map((t) => t.fullName),
    );
    const suiteErrors = results.testResults.filter((file) => file.testExecError).map((f) => f.testFilePath);
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(0);
    const lines = [
      '# Fault suite: figures of the last run',
      '',
      `Produced by \`${COMMAND}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ` +
        `${cpus().length} CPU cores, node ${process.version}, in ${seconds} s: ` +
        `${results.numPassedTests} tests passed, ${results.numFailedTests} failed. ` +
        'Every number below was measured by that run; docs/reliability.md explains what they show.',
      '',
      '| Scenario | Measure | Expected | Observed | Result |',
      '| --- | --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
    ];
    if (failedTests.length > 0 || suiteErrors.length > 0) {
      lines.push('Failed tests:', '', ...[...failedTests, ...suiteErrors].map((name) => `- ${name}`), '');
    }
    let text = lines.join('\n');
    try {
      const options = (await prettier.resolveConfig(this.docFile)) ?? {};
      text = await prettier.format(text, { ...options, filepath: this.docFile });
    } catch (error) {
      console.error(`figures-reporter: prettier failed, writing the table unformatted: ${error}`);
    }
    mkdirSync(dirname(this.docFile), { recursive: true });
    writeFileSync(this.docFile, text);
    process.stdout.write(`\n${text}\n(also written to docs/reliability-last-run.md)\n`);
  }
}
