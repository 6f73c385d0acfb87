/** @rigbench/controller — the controller as a library: store, collector, fleet, dispatch and the CLI runner. */
export { runCli } from './cli/program.js';
export { ExitCode } from './cli/exit-codes.js';
export { streamOutput, type Output } from './cli/output.js';
export {
  loadControllerConfig,
  compileControllerConfig,
  defaultStorePath,
} from './config/controller-config.js';
export type { ControllerConfig, StaticAgent, TlsFiles } from './config/controller-config.js';
export { RunStore, RunNotFoundError } from './store/run-store.js';
export { runCompleteness, type RunCompleteness } from './store/run-completeness.js';
export { buildRunDataset } from './store/build-run-dataset.js';
export { EventCollector, type CollectorStats } from './collector/event-collector.js';
export { ensureEventStream, EVENT_STREAM_CONFIG } from './collector/event-stream.js';
export { catchUp } from './collector/catch-up.js';
export { HeartbeatMonitor } from './fleet/heartbeat-monitor.js';
export { AgentClient } from './fleet/agent-client.js';
export { connectNats } from './nats/nats-connection.js';
export { buildAnswers, ALL_PROMPTS, type Answer, type AnswerOptions } from './answers/index.js';
