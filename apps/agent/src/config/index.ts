export { agentConfigSchema, describeConfigKeys, defaultAgentId, ENV_PREFIX } from './config-schema.js';
export type { RawAgentConfig, ConfigKeyDoc } from './config-schema.js';
export {
  compileAgentConfig,
  parseHostPort,
  isLoopbackHost,
  parseLabels,
  MIN_TOKEN_LENGTH,
} from './agent-config.js';
export type { AgentConfig, AgentLimits, AgentTlsConfig, HostPort, CompileOptions } from './agent-config.js';
export { loadRawAgentConfig, META_FLAGS } from './load-config.js';
export type { LoadedRawConfig, LoadConfigInput, CommandLineRequest } from './load-config.js';
export { maskedConfigJson, helpText, MASK } from './print-config.js';
export { ConfigFileError, ConfigValueError, InsecureListenError, UnknownFlagError } from './errors.js';
