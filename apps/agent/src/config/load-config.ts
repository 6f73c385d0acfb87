import { readFileSync } from 'node:fs';
import convict from 'convict';
import { findRenamedNatsKeys, renamedKeysMessage } from '@rigbench/shared';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { agentConfigSchema, describeConfigKeys, type RawAgentConfig } from './config-schema.js';
import { ConfigFileError, ConfigValueError, UnknownFlagError } from './errors.js';

/** Flags that steer the binary rather than configure the agent. */
export const META_FLAGS = ['help', 'version', 'print-config', 'config'] as const;

/** What the command line asked for besides configuration. */
export interface CommandLineRequest {
  help: boolean;
  version: boolean;
  printConfig: boolean;
  /** The `--config FILE` path, when given. */
  configFile: string | null;
}

/** The raw layer, loaded: defaults < config file < environment < flags. */
export interface LoadedRawConfig {
  raw: RawAgentConfig;
  request: CommandLineRequest;
}

/** Inputs of {@link loadRawAgentConfig}; the entry point passes `process.argv.slice(2)` and `process.env`. */
export interface LoadConfigInput {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
}

const BOOLEAN_META = new Set(['help', 'version', 'print-config']);

/** Splits `argv` into known flags; throws on a flag that is neither a config key nor a meta flag. */
function readCommandLine(argv: readonly string[]): CommandLineRequest {
  const known = new Set<string>([...META_FLAGS, ...describeConfigKeys().map((k) => k.arg)]);
  const request: CommandLineRequest = { help: false, version: false, printConfig: false, configFile: null };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (token === '-h') {
      request.help = true;
      continue;
    }
    if (!token.startsWith('--')) continue;
    const [rawName = '', inlineValue] = token.slice(2).split(/=(.*)/s, 2);
    const name = rawName.startsWith('no-') && !known.has(rawName) ? rawName.slice(3) : rawName;
    if (!known.has(name)) throw new UnknownFlagError(name);
    if (BOOLEAN_META.has(name)) {
      if (name === 'help') request.help = true;
      if (name === 'version') request.version = true;
      if (name === 'print-config') request.printConfig = true;
    } else if (name === 'config') {
      const value = inlineValue ?? argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new ConfigValueError('config', '--config needs a file');
      request.configFile = value;
    }
  }
  return request;
}

/** Parses a config file as JSON (`.json`) or YAML (anything else; YAML is a superset of JSON). */
function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigFileError(`cannot read config file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    if (path.endsWith('.json')) return JSON.parse(text) as unknown;
    return parseYaml(text) as unknown;
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const at = error.linePos?.[0];
      const place = at ? `${path}:${at.line}:${at.col}` : path;
      throw new ConfigFileError(`${place}: invalid YAML: ${error.message.split('\n')[0]}`, { cause: error });
    }
    throw new ConfigFileError(`${path}: invalid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Loads the raw configuration: schema defaults, then the `--config` file, then `RIGBENCH_AGENT_…` variables,
 * then flags. Validates formats strictly (a key in the file the schema does not know is an error).
 */
export function loadRawAgentConfig(input: LoadConfigInput): LoadedRawConfig {
  const request = readCommandLine(input.argv);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.env)) if (v !== undefined) env[k] = v;
  let config: convict.Config<RawAgentConfig>;
  try {
    config = convict(agentConfigSchema, { env, args: [...input.argv] });
  } catch (error) {
    throw asConfigError(error);
  }
  if (request.configFile !== null) {
    const content = readConfigFile(request.configFile);
    if (content !== null && content !== undefined) {
      if (typeof content !== 'object' || Array.isArray(content)) {
        throw new ConfigFileError(
          `${request.configFile}: expected a mapping of config keys at the top level`,
        );
      }
      const renamed = findRenamedNatsKeys(content);
      if (renamed.length > 0) {
        throw new ConfigFileError(`${request.configFile}: ${renamedKeysMessage(renamed)}`);
      }
      // convict would read a labels mapping as nested schema keys; hand it over as the JSON form instead.
      const fileConfig = { ...(content as Record<string, unknown>) };
      const labels = fileConfig['labels'];
      if (typeof labels === 'object' && labels !== null && !Array.isArray(labels)) {
        fileConfig['labels'] = JSON.stringify(labels);
      }
      try {
        config.load(fileConfig);
      } catch (error) {
        throw asConfigError(error, request.configFile);
      }
    }
  }
  try {
    config.validate({ allowed: 'strict' });
  } catch (error) {
    throw asConfigError(error, request.configFile ?? undefined);
  }
  return { raw: config.getProperties(), request };
}

function asConfigError(error: unknown, file?: string): Error {
  const e = error as Error & { fullName?: string };
  const where = file ? ` (defaults, ${file}, environment and flags merged)` : '';
  if (e.fullName) return new ConfigValueError(e.fullName, `${e.message}${where}`, { cause: error });
  return new ConfigValueError('(config)', `${e.message}${where}`, { cause: error });
}
