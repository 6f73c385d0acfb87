import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import { buildRunDataset } from '../store/build-run-dataset.js';
import type { ActionBinder } from '../cli/action-binder.js';
import { ExitCode } from '../cli/exit-codes.js';
import { syncStore } from '../cli/store-sync.js';

const parseFormat = (value: string): ReportFormat => {
  if (!(REPORT_FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`format must be one of ${REPORT_FORMATS.join(', ')}`);
  }
  return value as ReportFormat;
};

interface ReportCommandOptions {
  format?: ReportFormat;
  out?: string;
  sync: boolean;
  csvRows?: 'groups' | 'samples';
}

export function registerReportCommand(program: Command, bind: ActionBinder): void {
  program
    .command('report')
    .description(
      'report one run, or several combined as rounds (e.g. morning and night): the answer first (per axis: ' +
        'winner, % faster, CI, p, rounds; or what would settle it), then seed table, llama-bench table, ' +
        'statistics per group, fingerprints (exit 4 when a run is incomplete; the report is still written)',
    )
    .argument('<runs...>', 'run ids')
    .option(
      '--format <format>',
      `md, csv, json (every raw sample) or html (self-contained, charts)`,
      parseFormat,
    )
    .option('--out <file>', 'write to a file instead of stdout')
    .option(
      '--csv-rows <rows>',
      'csv: one row per group and metric (groups) or per sample (samples)',
      (v) => {
        if (v !== 'groups' && v !== 'samples')
          throw new InvalidArgumentError('csv rows must be groups or samples');
        return v;
      },
    )
    .option('--no-sync', 'do not read pending events from NATS first')
    .action(
      bind(async (ctx, runIds: string[], opts: ReportCommandOptions) => {
        await syncStore(ctx, opts.sync);
        const datasets = runIds.map((id) => buildRunDataset(ctx.store, id));
        const format = opts.format ?? ctx.config.defaults.format;
        const text = renderReport(datasets, format, opts.csvRows ? { csvRows: opts.csvRows } : {});
        if (opts.out) {
          writeFileSync(opts.out, text);
          ctx.output.note(`wrote ${format} report to ${resolve(opts.out)}`);
        } else {
          ctx.output.write(text.endsWith('\n') ? text : `${text}\n`);
        }
        const incomplete = datasets.filter((d) => d.run.status !== 'complete');
        for (const d of incomplete) {
          ctx.output.note(
            `warning: run ${d.run.runId} is ${d.run.status}: ${d.run.missing.slice(0, 5).join('; ')}`,
          );
        }
        return incomplete.length === 0 ? ExitCode.ok : ExitCode.incomplete;
      }),
    );
}
