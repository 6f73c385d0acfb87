import type { Command } from 'commander';
import type { FleetAgent } from '../fleet/fleet-view.js';
import type { CommandContext } from '../cli/command-context.js';
import type { ActionBinder } from '../cli/action-binder.js';
import { ExitCode } from '../cli/exit-codes.js';
import { table } from '../cli/output.js';
import { clientFor, discoverFleet, resolveAgent } from '../cli/fleet-access.js';
import { parseNonNegative } from '../cli/arg-parsers.js';
import { formatInfo } from '../cli/agent-info-text.js';

const ago = (ms: number | null): string => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s ago`);

const labelsText = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',') || '-';

export function registerAgentCommands(program: Command, bind: ActionBinder): void {
  program
    .command('agents')
    .description('list agents: heard from on NATS (up / stale / lost by heartbeat age) and configured ones')
    .option('--json', 'print as JSON')
    .option(
      '--listen <seconds>',
      'listen for heartbeats at most this long (default from config)',
      parseNonNegative,
    )
    .option('--probe', 'call GetInfo on agents never heard from, to tell reachable from unreachable')
    .action(
      bind(async (ctx, opts: { json?: boolean; listen?: number; probe?: boolean }) => {
        const fleet = await discoverFleet(
          ctx,
          opts.listen === undefined ? {} : { listenMs: opts.listen * 1000 },
        );
        const probes = new Map<string, string>();
        if (opts.probe) {
          await Promise.all(
            fleet
              .filter((a) => a.health === 'unknown')
              .map(async (a) => {
                const client = clientFor(ctx, a.endpoint);
                try {
                  const info = await client.getInfo();
                  probes.set(a.agentId, info.busy ? `reachable, busy (${info.current_run_id})` : 'reachable');
                } catch (error) {
                  probes.set(a.agentId, `unreachable: ${(error as Error).message}`);
                } finally {
                  client.close();
                }
              }),
          );
        }
        if (opts.json) {
          ctx.output.json(
            fleet.map(({ endpoint: _endpoint, ...a }: FleetAgent) => ({
              ...a,
              ...(probes.has(a.agentId) ? { probe: probes.get(a.agentId) } : {}),
            })),
          );
          return await listedExitCode(ctx);
        }
        if (fleet.length === 0) {
          ctx.output.line('no agents: none configured and none heard from on NATS');
          return await listedExitCode(ctx);
        }
        const rows = fleet.map((a) => [
          a.agentId,
          a.health,
          a.address,
          labelsText(a.labels),
          a.version ?? '-',
          a.busy === null ? '-' : a.busy ? `busy ${a.runId ?? ''}`.trim() : 'idle',
          ago(a.heartbeatAgeMs),
          probes.get(a.agentId) ?? a.source,
        ]);
        for (const line of table(
          ['AGENT', 'STATE', 'ADDRESS', 'LABELS', 'VERSION', 'ACTIVITY', 'HEARTBEAT', 'SOURCE'],
          rows,
        )) {
          ctx.output.line(line);
        }
        for (const a of fleet) {
          if (a.credentialWithheld) ctx.output.note(`${a.agentId}: no token sent: ${a.credentialWithheld}`);
        }
        return await listedExitCode(ctx);
      }),
    );

  program
    .command('info')
    .description("show an agent's identity, versions, hardware, backends, limits and activity (GetInfo)")
    .argument('<agent>', 'agent id, or host:port')
    .option('--json', 'print as JSON')
    .action(
      bind(async (ctx, agent: string, opts: { json?: boolean }) => {
        const client = clientFor(ctx, await resolveAgent(ctx, agent));
        try {
          const info = await client.getInfo();
          if (opts.json) ctx.output.json(info);
          else for (const line of formatInfo(info)) ctx.output.line(line);
          return ExitCode.ok;
        } finally {
          client.close();
        }
      }),
    );

  program
    .command('models')
    .description("list the GGUF files in an agent's models directory (ListModels)")
    .argument('<agent>', 'agent id, or host:port')
    .option('--json', 'print as JSON')
    .action(
      bind(async (ctx, agent: string, opts: { json?: boolean }) => {
        const client = clientFor(ctx, await resolveAgent(ctx, agent));
        try {
          const models = await client.listModels();
          if (opts.json) {
            ctx.output.json(models);
            return ExitCode.ok;
          }
          ctx.output.line(`models directory ${models.models_dir}`);
          if (models.models.length === 0) ctx.output.line('  (no .gguf files)');
          const rows = models.models.map((m) => [
            m.path,
            `${(Number(m.size_bytes) / 1024 ** 2).toFixed(1)} MiB`,
            m.gguf ? m.gguf.architecture : '-',
            m.gguf ? m.gguf.quantization : '-',
            m.gguf ? (m.gguf.parameter_count ?? '-') : `unusable: ${m.error ?? ''}`,
          ]);
          if (rows.length > 0)
            for (const line of table(['PATH', 'SIZE', 'ARCH', 'QUANT', 'PARAMETERS'], rows))
              ctx.output.line(`  ${line}`);
          return ExitCode.ok;
        } finally {
          client.close();
        }
      }),
    );
}

/**
 * `agents` still lists configured and previously seen agents when NATS is down or refuses the credentials, but the
 * listing is not the live fleet: it exits with {@link ExitCode.natsUnavailable} (the warning above says why).
 */
async function listedExitCode(ctx: CommandContext): Promise<number> {
  return (await ctx.natsFailure()) ? ExitCode.natsUnavailable : ExitCode.ok;
}
