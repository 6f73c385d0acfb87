import type { NatsConnection } from '@nats-io/transport-node';
import { collectorFor } from '../collector/catch-up.js';
import { monitorRun } from '../dispatch/run-monitor.js';
import { casesText } from '../dispatch/agent-progress.js';
import { lineDisplay, multibarDisplay } from '../dispatch/progress-display.js';
import type { AgentEndpoint } from '../fleet/agent-client.js';
import type { HeartbeatMonitor } from '../fleet/heartbeat-monitor.js';
import type { RunStatus } from '../report/run-dataset.js';
import { runCompleteness } from '../store/run-completeness.js';
import type { CommandContext } from './command-context.js';
import { ExitCode } from './exit-codes.js';
import { clientFor } from './fleet-access.js';
import { stderrLogger } from './output.js';

/** What `run --json` and `watch --json` print once the run has ended (or the command was interrupted). */
export interface RunOutcomeJson {
  runId: string;
  /** The run's status in the store, or `interrupted` when this command was stopped before the run ended. */
  status: RunStatus | 'interrupted';
  exitCode: number;
  agents: Array<{
    agentId: string;
    state: string;
    casesFinished: number;
    caseCount: number | null;
    samplesStored: number;
    outcome: string | null;
  }>;
  /** Cases that finished `failed` or `skipped`, with the agent's reason. */
  unsuccessfulCases: Array<{ agentId: string; caseId: string; outcome: string; reason: string | null }>;
  missing: string[];
}

/**
 * Shows a run's progress until every agent is finished or given up on, collecting its events into the store
 * meanwhile (alongside any `collect` process: the store ignores what it already holds), then prints where the
 * run stands (as one JSON object with `json`; the lines through `print`, stdout by default). Exit code 0 when
 * complete, 5 when complete with failed cases, 4 when incomplete, 130 when interrupted.
 */
export async function followRun(
  ctx: CommandContext,
  nc: NatsConnection,
  heartbeats: HeartbeatMonitor,
  runId: string,
  agents: readonly AgentEndpoint[],
  options: RunOutcomeOptions = {},
): Promise<number> {
  const { output, store, config } = ctx;
  // Only problems: progress is the display's job.
  const log = stderrLogger(output);
  const collector = collectorFor(nc, store, config, {
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
    if (options.json) output.json(runOutcomeJson(ctx, runId, 'interrupted', ExitCode.interrupted));
    return ExitCode.interrupted;
  }
  return printRunOutcome(ctx, runId, options);
}

/** Exit code of a run that has ended: 0 complete, 5 complete with failed cases, 4 incomplete. */
function runExitCode(status: string, failedCases: number): number {
  if (status !== 'complete') return ExitCode.incomplete;
  return failedCases > 0 ? ExitCode.casesFailed : ExitCode.ok;
}

function runOutcomeJson(
  ctx: CommandContext,
  runId: string,
  status: RunOutcomeJson['status'] | undefined,
  exitCode?: number,
): RunOutcomeJson {
  const completeness = runCompleteness(ctx.store, runId);
  const unsuccessfulCases = ctx.store.unsuccessfulCases(runId);
  const failed = unsuccessfulCases.filter((c) => c.outcome === 'failed').length;
  return {
    runId,
    status: status ?? completeness.status,
    exitCode: exitCode ?? runExitCode(completeness.status, failed),
    agents: completeness.agents.map((a) => ({
      agentId: a.agentId,
      state: a.state,
      casesFinished: a.row.casesFinished,
      caseCount: a.row.caseCount,
      samplesStored: a.row.samplesStored,
      outcome: a.row.outcome,
    })),
    unsuccessfulCases,
    missing: completeness.missing,
  };
}

/** How a run's outcome is printed: one JSON object, or lines through `print` (stdout by default). */
export interface RunOutcomeOptions {
  json?: boolean;
  print?: (line: string) => void;
}

/** Prints where a run that has ended stands (lines, or one JSON object) and returns its exit code. */
export function printRunOutcome(ctx: CommandContext, runId: string, options: RunOutcomeOptions = {}): number {
  const { output } = ctx;
  const print = options.print ?? ((line: string) => output.line(line));
  const summary = runOutcomeJson(ctx, runId, undefined);
  if (options.json) {
    output.json(summary);
    return summary.exitCode;
  }
  const completeness = runCompleteness(ctx.store, runId);
  for (const agent of completeness.agents) {
    print(
      `  ${agent.agentId}: ${agent.state}, ${casesText(agent.row.casesFinished, agent.row.caseCount)} cases, ` +
        `${agent.row.samplesStored} samples${agent.row.outcome ? `, outcome ${agent.row.outcome}` : ''}`,
    );
  }
  const failed = summary.unsuccessfulCases.filter((c) => c.outcome === 'failed');
  for (const c of failed) print(`  ${c.agentId}: case ${c.caseId} failed: ${c.reason ?? 'no reason given'}`);
  if (completeness.status === 'complete') {
    print(
      failed.length > 0
        ? `run ${runId} complete with ${failed.length} failed case(s); report: rigbench report ${runId}`
        : `run ${runId} complete; report: rigbench report ${runId}`,
    );
    return summary.exitCode;
  }
  print(`run ${runId} ${completeness.status}; missing:`);
  for (const line of completeness.missing) print(`  ${line}`);
  return ExitCode.incomplete;
}
