import type { Command } from 'commander';
import { fleetView } from '../fleet/fleet-view.js';
import { resolveTargets } from '../dispatch/resolve-targets.js';
import type { ActionBinder } from '../cli/action-binder.js';
import { ExitCode } from '../cli/exit-codes.js';
import { startPlanRun } from '../cli/dispatch-plan.js';
import { followRun } from '../cli/follow-run.js';
import { recordingHeartbeats } from '../cli/fleet-access.js';
import { printRunAnswers } from '../cli/print-answers.js';
import { readPlanFile } from '../cli/plan-file.js';
import { collectKeyValue, parseList } from '../cli/arg-parsers.js';

interface RunOptions {
  agents?: string[];
  select?: Record<string, string>;
  name?: string;
  label?: string;
  detach?: boolean;
  json?: boolean;
}

export function registerRunCommand(program: Command, bind: ActionBinder): void {
  program
    .command('run')
    .description(
      'run a plan on agents: checks each with GetInfo, starts it everywhere at once, shows progress per agent ' +
        'and stores every result (exit 0 complete, 5 complete with failed cases, 4 incomplete)',
    )
    .argument('<plan>', 'plan YAML file')
    .option('--agents <ids>', 'comma-separated agent ids (overrides the plan targets)', parseList)
    .option(
      '--select <key=value>',
      'label selector, repeatable; all must match (overrides the plan targets)',
      collectKeyValue,
    )
    .option('--name <name>', 'a name for this run, shown in listings')
    .option('--label <label>', 'free-form label stored with the run, e.g. morning or night')
    .option('--detach', 'return once every agent accepted the run')
    .option('--json', 'print the outcome as one JSON object on stdout (progress stays on stderr)')
    .action(
      bind(async (ctx, file: string, opts: RunOptions) => {
        const { output, store, config } = ctx;
        const plan = readPlanFile(file);
        const fromCli = opts.agents !== undefined || opts.select !== undefined;
        const request = fromCli
          ? { agents: opts.agents ?? [], selector: opts.select ?? {} }
          : { agents: plan.targets.agents, selector: plan.targets.selector };

        const nc = await ctx.nats();
        const heartbeats = recordingHeartbeats(ctx, nc);
        try {
          const configured = config.agents.map((a) => a.id);
          const waitFor =
            request.agents.length > 0
              ? request.agents.filter((id) => !configured.includes(id))
              : [...new Set([...configured, ...store.storedAgents().map((a) => a.agentId)])];
          if (request.agents.length === 0 || waitFor.length > 0)
            await heartbeats.waitFor(waitFor, config.fleet.listenMs, ctx.signal);
          const fleet = fleetView(config, heartbeats.snapshot(), store.storedAgents());
          const { targets, skipped } = resolveTargets(fleet, request);
          for (const s of skipped) output.note(`skipping ${s.agentId}: ${s.why}`);
          const started = await startPlanRun(ctx, nc, targets, plan, {
            ...(opts.name ? { name: opts.name } : {}),
            ...(opts.label ? { label: opts.label } : {}),
          });
          const { runId } = started;
          // With --json, stdout carries only the JSON object; the human lines go to stderr.
          const say = opts.json ? (text: string) => output.note(text) : (text: string) => output.line(text);
          say(`run ${runId}`);
          say(
            `  plan ${plan.name} on ${started.agents.map((a) => `${a.agentId} (${started.caseCounts.get(a.agentId) ?? '?'} cases)`).join(', ')}`,
          );
          if (opts.detach) {
            say(`  detached; follow with 'rigbench watch ${runId}', results with 'rigbench report ${runId}'`);
            if (opts.json) {
              output.json({
                runId,
                status: 'running',
                detached: true,
                agents: started.agents.map((a) => ({
                  agentId: a.agentId,
                  caseCount: started.caseCounts.get(a.agentId) ?? null,
                })),
              });
            }
            return ExitCode.ok;
          }
          const code = await followRun(ctx, nc, heartbeats, runId, started.agents, {
            json: opts.json === true,
          });
          // The answer, first in mind: printed after the outcome lines (not with --json: stdout is one object).
          if (!opts.json) printRunAnswers(ctx, runId);
          return code;
        } finally {
          await heartbeats.stop();
        }
      }),
    );
}
