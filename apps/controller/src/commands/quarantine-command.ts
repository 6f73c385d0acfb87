import type { Command } from 'commander';
import type { ActionBinder } from '../cli/action-binder.js';
import { ExitCode } from '../cli/exit-codes.js';
import { table } from '../cli/output.js';
import { syncStore } from '../cli/store-sync.js';
import { parsePositiveInt } from '../cli/arg-parsers.js';

export function registerQuarantineCommand(program: Command, bind: ActionBinder): void {
  program
    .command('quarantine')
    .description(
      'list events the collector could not store (malformed, unknown schema version, wrong subject)',
    )
    .option('--json', 'print as JSON')
    .option('--limit <n>', 'most entries to list, newest first', parsePositiveInt, 20)
    .option('--no-sync', 'do not read pending events from NATS first')
    .action(
      bind(async (ctx, opts: { json?: boolean; limit: number; sync: boolean }) => {
        await syncStore(ctx, opts.sync);
        const { total, recent } = ctx.store.quarantine(opts.limit);
        if (opts.json) {
          ctx.output.json({ total, recent });
          return ExitCode.ok;
        }
        ctx.output.line(`${total} quarantined event${total === 1 ? '' : 's'} in ${ctx.store.path}`);
        const rows = recent.map((q) => [
          q.receivedAt.replace('T', ' ').slice(0, 19),
          q.reason,
          q.subject,
          String(q.streamSeq),
          q.error,
        ]);
        if (rows.length > 0)
          for (const line of table(['RECEIVED', 'REASON', 'SUBJECT', 'STREAM SEQ', 'ERROR'], rows))
            ctx.output.line(`  ${line}`);
        return ExitCode.ok;
      }),
    );
}
