/**
 * The agent and the controller read the same `nats.*` keys (one schema in @rigbench/shared): the same names, the
 * same compiled values from the same file, the same refusals of renamed keys and bad values, and secrets masked
 * in what each prints.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  compileAgentConfig,
  describeConfigKeys,
  loadRawAgentConfig,
  maskedConfigJson,
  type AgentConfig,
} from '../apps/agent/src/config/index.js';
import { configSchema } from '../apps/controller/src/config/config-schema.js';
import {
  loadControllerConfig,
  type ControllerConfig,
} from '../apps/controller/src/config/controller-config.js';
import { maskedConfig } from '../apps/controller/src/commands/config-command.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'rigbench-nats-keys-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Writes `content` as YAML and returns the path. */
const yamlFile = (name: string, content: unknown): string => {
  const path = join(work, name);
  writeFileSync(path, stringify(content));
  return path;
};

const loadAgent = (file: string | null, env: Record<string, string> = {}): AgentConfig =>
  compileAgentConfig(loadRawAgentConfig({ argv: file ? ['--config', file] : [], env }).raw, {
    logicalCores: 2,
  });
const loadController = (file: string | null, env: Record<string, string> = {}): ControllerConfig =>
  loadControllerConfig({ env, ...(file ? { configFile: file } : {}), cwd: work });

/** Dotted leaf keys of a convict schema node. */
function leafKeys(node: Record<string, unknown>, path: string[]): string[] {
  return Object.entries(node).flatMap(([key, child]) =>
    typeof child === 'object' && child !== null && 'default' in child
      ? [[...path, key].join('.')]
      : leafKeys(child as Record<string, unknown>, [...path, key]),
  );
}

/** The error a function throws (fails the test when it returns). */
const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
};

test('config keys - agent and controller declare the same nats keys; only the environment prefix differs', () => {
  const agentKeys = describeConfigKeys().filter((key) => key.key.startsWith('nats.'));
  const controllerKeys = leafKeys(configSchema.nats as unknown as Record<string, unknown>, ['nats']);
  expect(agentKeys.map((key) => key.key)).toEqual(controllerKeys);
  expect(controllerKeys).toEqual(
    expect.arrayContaining([
      'nats.nkeySeed',
      'nats.nkeySeedFile',
      'nats.tls.ca',
      'nats.tls.cert',
      'nats.tls.key',
    ]),
  );
  const controllerEnv = (key: string): unknown =>
    key
      .split('.')
      .slice(1)
      .reduce<Record<string, unknown>>(
        (node, part) => node[part] as Record<string, unknown>,
        configSchema.nats as unknown as Record<string, unknown>,
      )['env'];
  for (const key of agentKeys) {
    expect(key.env.startsWith('RIGBENCH_AGENT_NATS_')).toBe(true);
    expect(controllerEnv(key.key)).toBe(key.env.replace('RIGBENCH_AGENT_', 'RIGBENCH_'));
  }
});

test('config keys - one nats section in a file compiles to the same settings in both apps', () => {
  const file = yamlFile('nats.yaml', {
    nats: {
      servers: ['nats://n1:4222', 'nats://n2:4222'],
      user: 'bench',
      password: 'pw',
      nkeySeedFile: join(work, 'bench.nk'),
      credsFile: join(work, 'bench.creds'),
      tls: { ca: join(work, 'ca.pem'), cert: join(work, 'c.pem'), key: join(work, 'c.key') },
      connectTimeoutSeconds: 3,
      streamReplicas: 3,
    },
  });
  const agent = loadAgent(file);
  const controller = loadController(file);
  expect(agent.nats).toEqual(controller.nats);
  expect(agent.nats).toEqual({
    servers: ['nats://n1:4222', 'nats://n2:4222'],
    user: 'bench',
    password: 'pw',
    token: null,
    nkeySeed: null,
    nkeySeedFile: join(work, 'bench.nk'),
    credsFile: join(work, 'bench.creds'),
    tls: { ca: join(work, 'ca.pem'), cert: join(work, 'c.pem'), key: join(work, 'c.key') },
    connectTimeoutMs: 3_000,
    streamReplicas: 3,
  });
});

test('config keys - the environment sets the same keys: RIGBENCH_AGENT_NATS_* and RIGBENCH_NATS_*', () => {
  const settings = {
    SERVERS: 'nats://a:4222,nats://b:4222',
    TOKEN: 'tok',
    TLS_CA: join(work, 'ca.pem'),
    STREAM_REPLICAS: '3',
  };
  const prefixed = (prefix: string): Record<string, string> =>
    Object.fromEntries(Object.entries(settings).map(([key, value]) => [`${prefix}${key}`, value]));
  const agent = loadAgent(null, prefixed('RIGBENCH_AGENT_NATS_'));
  const controller = loadController(null, prefixed('RIGBENCH_NATS_'));
  expect(agent.nats).toEqual(controller.nats);
  expect(agent.nats).toMatchObject({
    servers: ['nats://a:4222', 'nats://b:4222'],
    token: 'tok',
    tls: { ca: join(work, 'ca.pem'), cert: null, key: null },
    streamReplicas: 3,
  });
});

test('config keys - a file with the old agent names is refused in both apps, naming the new key', () => {
  const file = yamlFile('old.yaml', {
    nats: { servers: ['nats://n1:4222'], tlsCa: '/etc/ca.pem', tlsKey: 'k' },
  });
  for (const error of [thrown(() => loadAgent(file)), thrown(() => loadController(file))]) {
    expect(error.message).toContain(file);
    expect(error.message).toContain('nats.tlsCa was renamed to nats.tls.ca');
    expect(error.message).toContain('nats.tlsKey was renamed to nats.tls.key');
  }
});

test('config keys - a bad nats value gets the same key named in both apps', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ tls: { cert: '/c.pem' } }, /nats\.tls\.key: a NATS client certificate needs both/],
    [
      { nkeySeed: 'SUAAA', nkeySeedFile: '/s.nk' },
      /nats\.nkeySeedFile: set nats\.nkeySeed or nats\.nkeySeedFile, not both/,
    ],
    [{ streamReplicas: 7 }, /nats\.streamReplicas: must be a whole number from 1 to 5, got 7/],
    [{ servers: [] }, /nats\.servers: at least one NATS server URL is needed/],
  ];
  for (const [nats, message] of cases) {
    const file = yamlFile('bad.yaml', { nats });
    expect(thrown(() => loadAgent(file)).message).toMatch(message);
    expect(thrown(() => loadController(file)).message).toMatch(message);
  }
});

test('config keys - secrets and URL credentials are masked in what both apps print', () => {
  const file = yamlFile('secrets.yaml', {
    nats: {
      servers: ['nats://someone:url-secret@n1:4222'],
      password: 'pw-secret',
      token: 'token-secret',
      nkeySeed: 'SUseed-secret',
    },
  });
  const printed = [
    maskedConfigJson(loadRawAgentConfig({ argv: ['--config', file], env: {} }).raw),
    JSON.stringify(maskedConfig(loadController(file))),
  ];
  for (const text of printed) {
    for (const secret of ['url-secret', 'pw-secret', 'token-secret', 'seed-secret'])
      expect(text).not.toContain(secret);
    expect(text).toContain('n1:4222');
  }
});
