import { maskUrlCredentials } from '@rigbench/shared';
import type { Command } from 'commander';
import type { ControllerConfig } from '../config/controller-config.js';
import type { ActionBinder } from '../cli/action-binder.js';
import { ExitCode } from '../cli/exit-codes.js';

const MASK = '(secret)';

/** The compiled config with passwords and tokens replaced by a marker, and credentials in server URLs masked. */
export function maskedConfig(config: ControllerConfig): unknown {
  return {
    ...config,
    nats: {
      ...config.nats,
      servers: config.nats.servers.map(maskUrlCredentials),
      ...(config.nats.password ? { password: MASK } : {}),
      ...(config.nats.token ? { token: MASK } : {}),
      ...(config.nats.nkeySeed ? { nkeySeed: MASK } : {}),
    },
    agents: config.agents.map((a) => ({ ...a, ...(a.token ? { token: MASK } : {}) })),
    ...(config.agentToken ? { agentToken: MASK } : {}),
  };
}

export function registerConfigCommand(program: Command, bind: ActionBinder): void {
  program
    .command('config')
    .description(
      'print the configuration in effect (defaults < --config file < RIGBENCH_* environment < flags), secrets masked',
    )
    .option('--json', 'print as JSON (the default output is JSON too, indented)')
    .action(
      bind(async (ctx) => {
        ctx.output.json(maskedConfig(ctx.config));
        return ExitCode.ok;
      }),
    );
}
