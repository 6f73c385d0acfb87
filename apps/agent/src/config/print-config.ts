import { CREDENTIAL_MASK, maskUrlCredentials, splitNatsServers } from '@rigbench/shared';
import { describeConfigKeys, type RawAgentConfig } from './config-schema.js';

/** What a masked secret looks like in `--print-config`. */
export const MASK = CREDENTIAL_MASK;

/**
 * The raw configuration as JSON text with every sensitive key (non-empty) replaced by {@link MASK}, and
 * credentials in URLs (`user:password@`, `token@`) hidden. Safe to log.
 */
export function maskedConfigJson(raw: RawAgentConfig): string {
  const copy = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
  for (const key of describeConfigKeys()) {
    const path = key.key.split('.');
    const last = path.pop() ?? '';
    let node: Record<string, unknown> = copy;
    for (const part of path) node = node[part] as Record<string, unknown>;
    if (key.sensitive && node[last] !== '') node[last] = MASK;
  }
  const nats = copy['nats'] as { servers: string | string[] };
  nats.servers = splitNatsServers(nats.servers).map(maskUrlCredentials);
  return JSON.stringify(copy, null, 2);
}

/** `--help` text: usage, then every config key with its doc, flag, environment variable and default. */
export function helpText(version: string): string {
  const lines = [
    `rigbench-agent ${version} — runs LLM benchmark cases for a rigbench controller (gRPC + NATS JetStream)`,
    '',
    'Usage: rigbench-agent [--config FILE] [--<key> VALUE ...]',
    '       rigbench-agent build [--gpu false|cuda|vulkan] [--skip-compile]   (a local llama.cpp build; --help)',
    '',
    'Precedence: defaults < --config file (JSON or YAML) < environment < flags.',
    '',
    'Options:',
    '  --help, -h          show this help',
    '  --version           print the version',
    '  --print-config      print the merged configuration (secrets masked) and exit',
    '  --config FILE       read configuration from FILE (.json, .yaml or .yml; keys as in --print-config)',
    '',
    'Configuration keys (flag, environment variable, default):',
  ];
  for (const key of describeConfigKeys()) {
    const shown = key.sensitive ? '(secret)' : JSON.stringify(key.default);
    lines.push(`  ${key.key}`);
    lines.push(`      ${key.doc}`);
    lines.push(`      --${key.arg}   ${key.env}   default: ${shown}`);
  }
  return lines.join('\n') + '\n';
}
