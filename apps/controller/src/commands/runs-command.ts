import type { Command } from 'commander';
import { casesText, tokensPerSecondText } from '../dispatch/agent-progress.js';
import { runCompleteness } from '../store/run-completeness.js';
import type { ActionBinder } from '../cli/action-binder.js';
import { ExitCode } from '../cli/exit-codes.js';
import { table } from '../cli/output.js';
import { syncStore } from '../cli/store-sync.js';
import { parsePositiveInt } from '../cli/arg-parsers.js';

export function registerRunsCommands(program: Command, bind: ActionBinder): void {
  program
    .command('runs')
    .description('list runs in the store, newest first')
    .option('--json', 'print as JSON')
    .option('--limit <n>', 'most runs to list', parsePositiveInt, 50)
    .option('--no-sync', 'do not read pending events from NATS first')
    .action(
      bind(async (ctx, opts: { json?: boolean; limit: number; sync: boolean }) => {
        await syncStore(ctx, opts.sync);
        const rows = ctx.store
          .listRuns(opts.limit)
          .map((r) => ({ ...r, status: runCompleteness(ctx.store, r.runId).status }));
        if (opts.json) {
          ctx.output.json(rows);
          return ExitCode.ok;
        }
        if (rows.length === 0) {
          ctx.output.line(`no runs in ${ctx.store.path}`);
          return ExitCode.ok;
        }
        const lines = table(
          ['RUN', 'STATUS', 'PLAN', 'LABEL', 'STARTED', 'AGENTS', 'SAMPLES'],
          rows.map((r) => [
            r.runId,
            r.status,
            r.planName ?? '-',
            r.label ?? '-',
            r.createdAt.replace('T', ' ').slice(0, 19),
            r.agents.join(',') || '-',
            String(r.samples),
          ]),
        );
        for (const line of lines) ctx.output.line(line);
        return ExitCode.ok;
      }),
    );

  program
    .command('show')
    .description('show one run: per-agent progress and, when incomplete, exactly what is missing (exit 4)')
    .argument('<run>', 'run id')
    .option('--json', 'print as JSON')
    .option('--no-sync', 'do not read pending events from NATS first')
    .action(
      bind(async (ctx, runId: string, opts: { json?: boolean; sync: boolean }) => {
        await syncStore(ctx, opts.sync);
        const run = ctx.store.run(runId);
        const completeness = runCompleteness(ctx.store, runId);
        const quarantined = ctx.store.quarantine(0).total;
        if (opts.json) {
          ctx.output.json({
            ...run,
            status: completeness.status,
            missing: completeness.missing,
            agents: completeness.agents.map((a) => ({ ...a.row, state: a.state, missing: a.missing })),
            quarantinedInStore: quarantined,
          });
        } else {
          ctx.output.line(`run ${runId}: ${completeness.status}`);
          ctx.output.line(
            `  plan ${run.planName ?? '-'}${run.runName ? `, name ${run.runName}` : ''}${run.label ? `, label ${run.label}` : ''}`,
          );
          ctx.output.line(`  started ${run.createdAt}`);
          const rows = completeness.agents.map((a) => [
            a.agentId,
            a.state,
            a.row.caseCount === null ? '-' : casesText(a.row.casesFinished, a.row.caseCount),
            String(a.row.samplesStored),
            a.row.outcome ?? '-',
            tokensPerSecondText(a.row.lastDecodeTokensPerSecond),
          ]);
          for (const line of table(['AGENT', 'STATE', 'CASES', 'SAMPLES', 'OUTCOME', 'LAST TOK/S'], rows)) {
            ctx.output.line(`  ${line}`);
          }
          if (completeness.missing.length > 0) {
            ctx.output.line('  missing:');
            for (const line of completeness.missing) ctx.output.line(`    ${line}`);
          }
          if (quarantined > 0)
            ctx.output.line(`  quarantined events in the store (all runs): ${quarantined}`);
        }
        return completeness.status === 'complete' ? ExitCode.ok : ExitCode.incomplete;
      }),
    );
}
