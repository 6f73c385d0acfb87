import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import {
  COMPARE_BY,
  COMPARISON_FORMATS,
  compareRuns,
  compareWithin,
  regressions,
  renderComparison,
  type CompareBy,
  type CompareOptions,
  type ComparisonFormat,
} from '../compare/index.js';
import { buildRunDataset } from '../store/build-run-dataset.js';
import type { ActionBinder } from '../cli/action-binder.js';
import { ExitCode, UsageError } from '../cli/exit-codes.js';
import { syncStore } from '../cli/store-sync.js';
import { parseNonNegative } from '../cli/arg-parsers.js';

const oneOf =
  <T extends string>(what: string, values: readonly T[]) =>
  (value: string): T => {
    if (!(values as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${what} must be one of ${values.join(', ')}`);
    }
    return value as T;
  };

const IGNORABLE = ['agentId', 'model', 'backend', 'devices', 'threads', 'settings'] as const;

interface CompareCommandOptions {
  by?: CompareBy;
  baseline?: string;
  failOnRegression?: number;
  format?: ComparisonFormat;
  json?: boolean;
  out?: string;
  ignore?: Array<(typeof IGNORABLE)[number]>;
  alpha?: number;
  sync: boolean;
}

export function registerCompareCommand(program: Command, bind: ActionBinder): void {
  program
    .command('compare')
    .description(
      'compare two runs (A B) per metric: "B is X% faster than A (95% CI, p)", or "no significant difference", ' +
        'high variation with the rounds it would take, and every fingerprint difference; or compare within ' +
        'one run with --by. Exit 3 with --fail-on-regression when B is significantly slower by more than PCT',
    )
    .argument('<runs...>', 'run A and run B, or one run with --by')
    .option(
      '--by <dimension>',
      `compare within one run by ${COMPARE_BY.join(', ')}`,
      oneOf('--by', COMPARE_BY),
    )
    .option('--baseline <value>', 'with --by: the value used as A (default: the first in plan order)')
    .option(
      '--ignore <dimensions>',
      `A B: dimensions not used to match groups (${IGNORABLE.join(', ')}), comma-separated`,
      (v) => v.split(',').map((d) => oneOf('--ignore', IGNORABLE)(d.trim())),
    )
    .option(
      '--fail-on-regression <pct>',
      'exit 3 when a metric is significantly slower by more than PCT percent',
      parseNonNegative,
    )
    .option('--alpha <p>', 'significance level (default 0.05)', parseNonNegative)
    .option(
      '--format <format>',
      `output format: ${COMPARISON_FORMATS.join(', ')}`,
      oneOf('--format', COMPARISON_FORMATS),
    )
    .option('--json', 'same as --format json')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--no-sync', 'do not read pending events from NATS first')
    .action(
      bind(async (ctx, runIds: string[], opts: CompareCommandOptions) => {
        if (opts.by ? runIds.length !== 1 : runIds.length !== 2) {
          throw new UsageError(
            opts.by
              ? `compare --by takes exactly one run, got ${runIds.length}`
              : `compare takes two runs (A B), got ${runIds.length}; or one run with --by ${COMPARE_BY.join('|')}`,
          );
        }
        await syncStore(ctx, opts.sync);
        const options: CompareOptions = {
          ...(opts.alpha === undefined ? {} : { alpha: opts.alpha }),
          ...(opts.ignore ? { ignore: opts.ignore } : {}),
          ...(opts.baseline ? { baseline: opts.baseline } : {}),
        };
        const datasets = runIds.map((id) => buildRunDataset(ctx.store, id));
        const result = opts.by
          ? compareWithin(datasets[0]!, opts.by, options)
          : compareRuns(datasets[0]!, datasets[1]!, options);
        const format: ComparisonFormat = opts.json ? 'json' : (opts.format ?? 'md');
        const text = renderComparison(result, format);
        if (opts.out) {
          writeFileSync(opts.out, text);
          ctx.output.note(`wrote ${format} comparison to ${resolve(opts.out)}`);
        } else {
          ctx.output.write(text.endsWith('\n') ? text : `${text}\n`);
        }
        for (const d of datasets.filter((x) => x.run.status !== 'complete')) {
          ctx.output.note(
            `warning: run ${d.run.runId} is ${d.run.status}: ${d.run.missing.slice(0, 3).join('; ')}`,
          );
        }
        if (opts.failOnRegression !== undefined) {
          const found = regressions(result, opts.failOnRegression);
          if (found.length > 0) {
            ctx.output.note(
              `${found.length} regression${found.length === 1 ? '' : 's'} beyond ${opts.failOnRegression}%:`,
            );
            for (const r of found) ctx.output.note(`  ${r.text}`);
            return ExitCode.regression;
          }
        }
        return ExitCode.ok;
      }),
    );
}
