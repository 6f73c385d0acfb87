import type { Command } from 'commander';
import { jetstreamManager } from '@nats-io/jetstream';
import { ensureEventStream } from '../collector/event-stream.js';
import { HeartbeatMonitor } from '../fleet/heartbeat-monitor.js';
import { fleetView } from '../fleet/fleet-view.js';
import { preflight, startEverywhere } from '../dispatch/dispatch-run.js';
import { resolveTargets } from '../dispatch/resolve-targets.js';
import { newRunId } from '../dispatch/run-id.js';
import type { ActionBinder } from './program.js';
import { ExitCode } from './exit-codes.js';
import { clientFor } from './fleet-access.js';
import { followRun } from './follow-run.js';
import { readPlanFile } from './plan-file.js';
import { collectKeyValue, parseList } from './arg-parsers.js';

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
        const heartbeats = new HeartbeatMonitor(nc);
        heartbeats.onHeartbeat(({ heartbeat, receivedAtMs }) =>
          store.recordHeartbeat(heartbeat, receivedAtMs),
        );
        heartbeats.start();
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
          const ready = await preflight(
            targets,
            (t) => clientFor(ctx, t.agent.endpoint),
            (t) => output.note(t),
          );

          const runId = newRunId();
          store.recordDispatch({
            runId,
            planName: plan.name,
            runName: opts.name ?? null,
            label: opts.label ?? null,
            plan,
            targets: ready.map((t) => ({
              agentId: t.agent.agentId,
              address: t.agent.address,
              labels: { ...t.agent.labels, ...t.info.labels },
            })),
          });
          // Agents create the stream too; making sure here means the first events of a fresh setup are kept.
          await ensureEventStream(await jetstreamManager(nc));
          let accepted;
          try {
            accepted = await startEverywhere(ready, {
              runId,
              planJson: JSON.stringify(plan),
              label: opts.label ?? '',
            });
          } catch (error) {
            for (const t of ready) store.abandonAgent(runId, t.agent.agentId, 'not started: StartRun failed');
            throw error;
          } finally {
            for (const t of ready) t.client.close();
          }
          // With --json, stdout carries only the JSON object; the human lines go to stderr.
          const say = opts.json ? (text: string) => output.note(text) : (text: string) => output.line(text);
          say(`run ${runId}`);
          say(
            `  plan ${plan.name} on ${ready.map((t) => `${t.agent.agentId} (${accepted.get(t.agent.agentId)?.case_count ?? '?'} cases)`).join(', ')}`,
          );
          if (opts.detach) {
            say(`  detached; follow with 'rigbench watch ${runId}', results with 'rigbench report ${runId}'`);
            if (opts.json) {
              output.json({
                runId,
                status: 'running',
                detached: true,
                agents: ready.map((t) => ({
                  agentId: t.agent.agentId,
                  caseCount: accepted.get(t.agent.agentId)?.case_count ?? null,
                })),
              });
            }
            return ExitCode.ok;
          }
          return await followRun(
            ctx,
            nc,
            heartbeats,
            runId,
            ready.map((t) => t.agent.endpoint),
            { json: opts.json === true },
          );
        } finally {
          await heartbeats.stop();
        }
      }),
    );
}
