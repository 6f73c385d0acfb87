import type { Command } from 'commander';
import { fleetView, recordedAgentEndpoint } from '../fleet/fleet-view.js';
import type { ActionBinder } from '../cli/action-binder.js';
import { ExitCode } from '../cli/exit-codes.js';
import { clientFor } from '../cli/fleet-access.js';

export function registerCancelCommand(program: Command, bind: ActionBinder): void {
  program
    .command('cancel')
    .description('cancel a run on every agent running it (CancelRun)')
    .argument('<run>', 'run id')
    .option('--reason <text>', 'why, stored with the run', 'cancelled from the CLI')
    .option('--json', "print each agent's answer as JSON: {runId, agents: [{agentId, state | error}]}")
    .action(
      bind(async (ctx, runId: string, opts: { reason: string; json?: boolean }) => {
        const { store, config } = ctx;
        store.run(runId);
        const fleet = new Map(fleetView(config, new Map(), store.storedAgents()).map((a) => [a.agentId, a]));
        const rows = store.runAgents(runId).filter((r) => r.finishedAt === null);
        if (rows.length === 0) {
          if (opts.json) ctx.output.json({ runId, agents: [] });
          else ctx.output.line(`run ${runId} has no agent still running it`);
          return ExitCode.ok;
        }
        let failed = 0;
        const answers: Array<{ agentId: string; state?: string; error?: string }> = [];
        await Promise.all(
          rows.map(async (row) => {
            const endpoint =
              fleet.get(row.agentId)?.endpoint ??
              recordedAgentEndpoint(config, row.agentId, row.address ?? 'unknown:0');
            const client = clientFor(ctx, endpoint);
            try {
              const result = await client.cancelRun({ run_id: runId, reason: opts.reason });
              answers.push({ agentId: row.agentId, state: result.state });
              if (!opts.json) ctx.output.line(`${row.agentId}: ${result.state}`);
            } catch (error) {
              failed += 1;
              answers.push({ agentId: row.agentId, error: (error as Error).message });
              ctx.output.note(`${row.agentId}: ${(error as Error).message}`);
            } finally {
              client.close();
            }
          }),
        );
        if (opts.json) {
          answers.sort((a, b) => a.agentId.localeCompare(b.agentId));
          ctx.output.json({ runId, agents: answers });
        }
        return failed === 0 ? ExitCode.ok : ExitCode.failure;
      }),
    );
}
