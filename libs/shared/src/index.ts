/**
 * @rigbench/shared — what the agent and the controller both need: the benchmark plan model, event types,
 * proto loading, statistics and the synthetic GGUF writer.
 */
export { RIGBENCH_VERSION } from './version.js';
