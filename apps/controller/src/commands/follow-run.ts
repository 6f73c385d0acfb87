import type { NatsConnection } from '@nats-io/transport-node';
import { collectorFor } from '../collector/catch-up.js';
import { monitorRun } from '../dispatch/run-monitor.js';
import { lineDisplay, multibarDisplay } from '../dispatch/progress-display.js';
import type { AgentEndpoint } from '../fleet/agent-client.js';
import type { HeartbeatMonitor } from '../fleet/heartbeat-monitor.js';
import { runCompleteness } from '../store/run-completeness.js';
import type { CommandContext } from './command-context.js';
import { ExitCode } from './exit-codes.js';
import { clientFor } from './fleet-access.js';
import { stderrLogger } from './output.js';

/**
 * Shows a run's progress until every agent is finished or given up on, collecting its events into the store
 * meanwhile (alongside any `collect` process: the store ignores what it already holds), then prints where the
 * run stands (through `print`: stdout by default). Exit code 0 when complete, 4 when incomplete, 130 when
 * interrupted.
 */
export async function followRun(
  ctx: CommandContext,
  nc: NatsConnection,
  heartbeats: HeartbeatMonitor,
  runId: string,
  agents: readonly AgentEndpoint[],
  print: (line: string) => void = (line) => ctx.output.line(line),
): Promise<number> {
  const { output, store, config } = ctx;
  // Only problems: progress is the display's job.
  const log = stderrLogger(output);
  const collector = collectorFor(nc, store, config.collector, {
    ...log,
    info: () => undefined,
    debug: () => undefined,
  });
  await collector.start();
  const clients = agents.map((endpoint) => ({ agentId: endpoint.agentId, client: clientFor(ctx, endpoint) }));
  const display = output.interactive ? multibarDisplay(output.stderr) : lineDisplay((t) => output.note(t));
  let outcome: 'done' | 'interrupted';
  try {
    outcome = await monitorRun({
      runId,
      agents: clients,
      store,
      heartbeats,
      thresholds: config.fleet,
      display,
      signal: ctx.signal,
    });
  } finally {
    display.stop();
    for (const { client } of clients) client.close();
    await collector.stop();
  }
  if (outcome === 'interrupted') {
    output.note(
      `interrupted: run ${runId} goes on on the agents; follow it with 'rigbench watch ${runId}', ` +
        `stop it with 'rigbench cancel ${runId}'`,
    );
    return ExitCode.interrupted;
  }
  const completeness = runCompleteness(store, runId);
  for (const agent of completeness.agents) {
    print(
      `  ${agent.agentId}: ${agent.state}, ${agent.row.casesFinished}/${agent.row.caseCount ?? '?'} cases, ` +
        `${agent.row.samplesStored} samples${agent.row.outcome ? `, outcome ${agent.row.outcome}` : ''}`,
    );
  }
  if (completeness.status === 'complete') {
    print(`run ${runId} complete; report: rigbench report ${runId}`);
    return ExitCode.ok;
  }
  print(`run ${runId} ${completeness.status}; missing:`);
  for (const line of completeness.missing) print(`  ${line}`);
  return ExitCode.incomplete;
}
