import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import {
  TREND_FORMATS,
  TREND_METRICS,
  buildTrend,
  loadTrendDatasets,
  renderTrend,
  MAX_TREND_RUNS,
  type TrendFormat,
  type TrendMetricName,
} from '../trend/index.js';
import type { ActionBinder } from '../cli/action-binder.js';
import { ExitCode, UsageError } from '../cli/exit-codes.js';
import { syncStore } from '../cli/store-sync.js';
import { parseNonNegative, parsePositiveInt } from '../cli/arg-parsers.js';

const UNITS_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * `--since`: an ISO 8601 date or time (`2026-11-20`, `2026-11-20T08:00Z`) or an age (`36h`, `7d`, `2w`).
 * `now` is injectable for tests.
 */
export function parseSince(value: string, now = Date.now()): Date {
  const age = /^(\d+(?:\.\d+)?)([hdw])$/.exec(value.trim());
  if (age) return new Date(now - Number(age[1]) * UNITS_MS[age[2]!]!);
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return new Date(t);
  }
  throw new InvalidArgumentError(
    `--since must be an ISO 8601 date or time (2026-11-20, 2026-11-20T08:00Z) or an age (36h, 7d, 2w), got '${value}'`,
  );
}

const oneOf =
  <T extends string>(what: string, values: readonly T[]) =>
  (value: string): T => {
    if (!(values as readonly string[]).includes(value))
      throw new InvalidArgumentError(`${what} must be one of ${values.join(', ')}, got '${value}'`);
    return value as T;
  };

const METRIC_NAMES = Object.keys(TREND_METRICS) as TrendMetricName[];

interface TrendCommandOptions {
  group?: string[];
  since?: Date;
  metric: TrendMetricName;
  minStep: number;
  alpha?: number;
  runs?: number;
  format?: TrendFormat;
  json?: boolean;
  brief?: boolean;
  out?: string;
  sync: boolean;
}

export function registerTrendCommand(program: Command, bind: ActionBinder): void {
  program
    .command('trend')
    .description(
      'drift over days: for each group (agent, model, backend, devices, threads, test) its figure per run ' +
        'over time, the runs where the fingerprint changed (driver, llama.cpp release, model file, threads …), ' +
        'and the change points of its level found statistically, each with its step and CI',
    )
    .option(
      '--group <text>',
      'only groups whose label contains TEXT (case-insensitive); repeat to require several',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--since <when>', 'only runs started since an ISO date/time or an age (36h, 7d, 2w)', (v) =>
      parseSince(v),
    )
    .option(
      '--metric <name>',
      `figure followed: ${METRIC_NAMES.join(', ')}`,
      oneOf('--metric', METRIC_NAMES),
      'decode',
    )
    .option('--min-step <pct>', 'smallest step reported, in percent', (v) => parseNonNegative(v) / 100, 0.02)
    .option(
      '--alpha <p>',
      'false change point rate the penalty is built for (default 0.05)',
      parseNonNegative,
    )
    .option('--runs <n>', `most runs read, newest first (at most ${MAX_TREND_RUNS})`, parsePositiveInt)
    .option(
      '--format <format>',
      `output format: ${TREND_FORMATS.join(', ')}`,
      oneOf('--format', TREND_FORMATS),
    )
    .option('--json', 'same as --format json')
    .option('--brief', 'md: only the change points and the fingerprint changes, no per-run tables')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--no-sync', 'do not read pending events from NATS first')
    .action(
      bind(async (ctx, opts: TrendCommandOptions) => {
        if (opts.runs !== undefined && opts.runs > MAX_TREND_RUNS)
          throw new UsageError(`--runs must be at most ${MAX_TREND_RUNS}, got ${opts.runs}`);
        if (opts.alpha !== undefined && !(opts.alpha > 0 && opts.alpha < 1))
          throw new UsageError(`--alpha must be in (0, 1), e.g. 0.05, got ${opts.alpha}`);
        await syncStore(ctx, opts.sync);
        const { datasets, skipped } = loadTrendDatasets(ctx.store, {
          ...(opts.since ? { since: opts.since } : {}),
          ...(opts.runs ? { maxRuns: opts.runs } : {}),
        });
        const trend = buildTrend(datasets, {
          metric: opts.metric,
          minRelativeStep: opts.minStep,
          ...(opts.group ? { groups: opts.group } : {}),
          ...(opts.alpha === undefined ? {} : { alpha: opts.alpha }),
        });
        trend.skipped.push(...skipped);
        const format: TrendFormat = opts.json ? 'json' : (opts.format ?? 'md');
        const text = renderTrend(trend, format, opts.brief === true);
        if (opts.out) {
          writeFileSync(opts.out, text);
          ctx.output.note(`wrote ${format} trend to ${resolve(opts.out)}`);
        } else ctx.output.write(text);
        for (const note of trend.notes) ctx.output.note(`note: ${note}`);
        if (trend.groups.length === 0)
          ctx.output.note(
            datasets.length === 0
              ? 'warning: no runs in the store match (check --since, or rigbench runs)'
              : trend.notes.length > 0
                ? `warning: no sample has ${trend.metricLabel} figures`
                : 'warning: no group matches --group (groups are labelled like "node-a small cpu ddefault t=1 chat:q1")',
          );
        return ExitCode.ok;
      }),
    );
}
