import type { Command } from 'commander';
import { fleetView, recordedAgentEndpoint } from '../fleet/fleet-view.js';
import type { AgentEndpoint } from '../fleet/agent-client.js';
import { catchUp } from '../collector/catch-up.js';
import { runCompleteness } from '../store/run-completeness.js';
import type { ActionBinder } from '../cli/action-binder.js';
import { followRun, printRunOutcome } from '../cli/follow-run.js';
import { recordingHeartbeats } from '../cli/fleet-access.js';

export function registerWatchCommand(program: Command, bind: ActionBinder): void {
  program
    .command('watch')
    .description(
      'follow a running run: progress per agent until it ends, storing its events (exit 0 complete, ' +
        '5 complete with failed cases, 4 incomplete)',
    )
    .argument('<run>', 'run id')
    .option('--json', 'print the outcome as one JSON object on stdout (progress stays on stderr)')
    .action(
      bind(async (ctx, runId: string, opts: { json?: boolean }) => {
        const { store, config } = ctx;
        const nc = await ctx.nats();
        await catchUp(nc, store, config, { timeoutMs: 15_000, signal: ctx.signal });
        store.run(runId); // RunNotFoundError names the run
        const before = runCompleteness(store, runId).status;
        if (before === 'complete' || before === 'cancelled') {
          ctx.output.note(`run ${runId} is already ${before}`);
          return printRunOutcome(ctx, runId, { json: opts.json === true });
        }
        const heartbeats = recordingHeartbeats(ctx, nc);
        try {
          const fleet = new Map(
            fleetView(config, heartbeats.snapshot(), store.storedAgents()).map((a) => [a.agentId, a]),
          );
          const endpoints: AgentEndpoint[] = store.runAgents(runId).map((row) => {
            const known = fleet.get(row.agentId);
            if (known) return known.endpoint;
            return recordedAgentEndpoint(config, row.agentId, row.address ?? 'unknown:0');
          });
          if (opts.json) ctx.output.note(`run ${runId}`);
          else ctx.output.line(`run ${runId}`);
          return await followRun(ctx, nc, heartbeats, runId, endpoints, { json: opts.json === true });
        } finally {
          await heartbeats.stop();
        }
      }),
    );
}
