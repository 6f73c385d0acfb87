import type { Command } from 'commander';
import { collectorFor, sleep } from '../collector/catch-up.js';
import { CollectorMetricsServer, collectorRegistry } from '../collector/collector-metrics.js';
import type { ActionBinder } from '../cli/action-binder.js';
import { ExitCode } from '../cli/exit-codes.js';
import { stderrLogger } from '../cli/output.js';
import { parseList, parseNonNegative } from '../cli/arg-parsers.js';
import { collectScheduler, scheduledPlans } from '../cli/scheduled-runs.js';
import { recordingHeartbeats } from '../cli/fleet-access.js';

export function registerCollectCommand(program: Command, bind: ActionBinder): void {
  program
    .command('collect')
    .description(
      'run the collector until SIGINT/SIGTERM: store every event from NATS (durable consumer, catches up after ' +
        'downtime) and every agent heartbeat; serves Prometheus /metrics on collector.metricsListen ' +
        '(RIGBENCH_COLLECTOR_METRICS_LISTEN, default 127.0.0.1:9465, off for none); with --plans, also starts ' +
        'those plans on their schedule: entries (cron, local time), so no systemd timer is needed',
    )
    .option(
      '--plans <files>',
      'plan files (comma-separated, repeatable) whose schedule: entries this collector runs',
      parseList,
    )
    .option('--stats-every <seconds>', 'log collector totals this often (0: never)', parseNonNegative, 60)
    .option('--verbose', 'log every batch')
    .action(
      bind(async (ctx, opts: { statsEvery: number; verbose?: boolean; plans?: string[] }) => {
        const log = stderrLogger(ctx.output, opts.verbose);
        // Bad plan files stop the collector before it starts: a schedule that silently never runs is worse.
        const plans = scheduledPlans(opts.plans ?? []);
        const nc = await ctx.nats();
        const collector = collectorFor(nc, ctx.store, ctx.config, log);
        const heartbeats = recordingHeartbeats(ctx, nc, log);
        await collector.start();
        const listen = ctx.config.collector.metricsListen;
        // Storing events matters more than exporting metrics: a taken port is a warning, not a stop.
        let metrics = listen
          ? new CollectorMetricsServer(
              collectorRegistry({ collector, storePath: ctx.store.path }),
              listen.host,
              listen.port,
            )
          : undefined;
        try {
          await metrics?.start();
        } catch (error) {
          log.warn('collector metrics off', { error: (error as Error).message });
          metrics = undefined;
        }
        log.info('collecting', {
          store: ctx.store.path,
          servers: ctx.config.nats.servers.join(','),
          metrics: metrics ? `${metrics.url}/metrics` : 'off',
        });
        const scheduler = plans.length > 0 ? collectScheduler(ctx, nc, heartbeats, plans, log) : undefined;
        scheduler?.start();
        for (const next of scheduler?.upcoming() ?? [])
          log.info('scheduled', { ...next, next: next.next?.toString() ?? 'never' });
        let lastStats = Date.now();
        while (!ctx.signal.aborted) {
          await sleep(250, ctx.signal);
          if (opts.statsEvery > 0 && Date.now() - lastStats >= opts.statsEvery * 1000) {
            lastStats = Date.now();
            log.info('collector totals', { ...collector.stats });
          }
        }
        scheduler?.stop();
        await metrics?.stop();
        await heartbeats.stop();
        await collector.stop();
        return ExitCode.ok;
      }),
    );
}
