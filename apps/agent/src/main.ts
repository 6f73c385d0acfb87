#!/usr/bin/env node
/**
 * `rigbench-agent`: reads the configuration (file < environment < flags), starts the agent and handles signals.
 * This is the only place that reads `process.env`/`process.argv` and installs signal handlers.
 */
import { NatsCredentialsError, RIGBENCH_VERSION } from '@rigbench/shared';
import {
  compileAgentConfig,
  helpText,
  loadRawAgentConfig,
  maskedConfigJson,
  type AgentConfig,
  type LoadedRawConfig,
} from './config/index.js';
import { runBuildCommand } from './build/build-command.js';
import { createAgentLogger } from './service/agent-logger.js';
import { AgentRuntime } from './service/agent-runtime.js';

/** Exit codes: 0 clean stop, 1 start-up failure, 2 bad configuration. */
const EXIT_FAILURE = 1;
const EXIT_CONFIG = 2;

async function main(): Promise<number> {
  if (process.argv[2] === 'build') return build(process.argv.slice(3));
  let loaded: LoadedRawConfig;
  let config: AgentConfig;
  try {
    loaded = loadRawAgentConfig({ argv: process.argv.slice(2), env: process.env });
    if (loaded.request.help) {
      process.stdout.write(helpText(RIGBENCH_VERSION));
      return 0;
    }
    if (loaded.request.version) {
      process.stdout.write(`${RIGBENCH_VERSION}\n`);
      return 0;
    }
    if (loaded.request.printConfig) {
      process.stdout.write(`${maskedConfigJson(loaded.raw)}\n`);
      return 0;
    }
    config = compileAgentConfig(loaded.raw);
  } catch (error) {
    process.stderr.write(`rigbench-agent: ${(error as Error).message}\n`);
    return EXIT_CONFIG;
  }

  const log = createAgentLogger({ level: config.logLevel, agentId: config.id });
  log.info('configuration', { config: JSON.parse(maskedConfigJson(loaded.raw)) as unknown });
  const runtime = new AgentRuntime(config, { logger: log });

  let signalled = 0;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      signalled++;
      if (signalled > 1) {
        log.warn('second signal: exiting now', { signal });
        process.exit(EXIT_FAILURE);
      }
      log.info('signal received', { signal });
      runtime.stop().then(resolve, (error: unknown) => {
        log.error('shutdown failed', { error: (error as Error).message });
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });

  try {
    const endpoints = await runtime.start();
    process.stdout.write(
      `${JSON.stringify({ event: 'listening', grpc: endpoints.grpc, metrics: endpoints.metrics })}\n`,
    );
  } catch (error) {
    log.error('start-up failed', { error: (error as Error).message });
    // An unreadable or wrong NATS seed/creds file is a configuration error, like a bad key.
    return error instanceof NatsCredentialsError ? EXIT_CONFIG : EXIT_FAILURE;
  }
  await stopped;
  return 0;
}

/** `rigbench-agent build`: a local llama.cpp build; Ctrl-C stops it. */
async function build(argv: string[]): Promise<number> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runBuildCommand(argv, {
      out: (line) => void process.stdout.write(`${line}\n`),
      err: (line) => void process.stderr.write(`${line}\n`),
      signal: controller.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`rigbench-agent: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
