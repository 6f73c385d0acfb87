import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compileAgentConfig,
  ConfigFileError,
  ConfigValueError,
  describeConfigKeys,
  helpText,
  InsecureListenError,
  loadRawAgentConfig,
  MASK,
  maskedConfigJson,
  UnknownFlagError,
  MIN_TOKEN_LENGTH,
} from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'rigbench-agent-config-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const load = (argv: string[], env: Record<string, string> = {}) => loadRawAgentConfig({ argv, env });

test('config - defaults < file < environment < flags', () => {
  const yaml = file(
    'p.yaml',
    'id: from-file\nlimits:\n  maxTokens: 111\n  repetitions: 7\nmodelsDir: /srv/m\n',
  );
  const env = { RIGBENCH_AGENT_LIMITS_MAX_TOKENS: '222', RIGBENCH_AGENT_ID: 'from-env' };
  const { raw } = load(['--config', yaml, '--id', 'from-flag'], env);
  expect(raw.id).toBe('from-flag');
  expect(raw.limits.maxTokens).toBe(222);
  expect(raw.limits.repetitions).toBe(7);
  expect(raw.modelsDir).toBe('/srv/m');
  expect(raw.listen).toBe('127.0.0.1:50051');
  const config = compileAgentConfig(raw);
  expect(config.limits.maxTokens).toBe(222);
  expect(Object.isFrozen(config) && Object.isFrozen(config.limits)).toBe(true);
});

test('config - JSON file, k=v labels from env, comma-separated NATS servers from a flag', () => {
  const json = file(
    'c.json',
    JSON.stringify({ heartbeat: { intervalSeconds: 3 }, shutdown: { currentCase: 'finish' } }),
  );
  const { raw } = load(['--config', json, '--nats-servers', 'nats://a:4222,nats://b:4222'], {
    RIGBENCH_AGENT_LABELS: 'gpu=3090, room=attic',
  });
  const config = compileAgentConfig(raw);
  expect(config.labels).toEqual({ gpu: '3090', room: 'attic' });
  expect(config.nats.servers).toEqual(['nats://a:4222', 'nats://b:4222']);
  expect(config.heartbeatIntervalMs).toBe(3000);
  expect(config.shutdown.currentCase).toBe('finish');
  expect(compileAgentConfig({ ...raw, labels: '{"gpu":"4090"}' }).labels).toEqual({ gpu: '4090' });
  const mapping = file('labels.yaml', 'labels:\n  gpu: p104\n  room: attic\n');
  expect(compileAgentConfig(load(['--config', mapping]).raw).labels).toEqual({ gpu: 'p104', room: 'attic' });
  const bad = file('labels-bad.yaml', 'labels:\n  gpu: [1]\n');
  expect(() => compileAgentConfig(load(['--config', bad]).raw)).toThrow(
    /labels: label 'gpu' must be a string/,
  );
});

test('config - every key has a doc, an env var and a flag, and --help lists them', () => {
  const keys = describeConfigKeys();
  expect(keys.length).toBeGreaterThan(30);
  for (const key of keys) {
    expect(key.doc).not.toBe('');
    expect(key.env).toMatch(/^RIGBENCH_AGENT_[A-Z0-9_]+$/);
    expect(key.arg).toMatch(/^[a-z0-9-]+$/);
  }
  const help = helpText('0.0.0');
  for (const key of keys) expect(help).toContain(key.env);
  expect(help).toContain('--limits-max-tokens');
});

test('config - --print-config masks secrets, including passwords in NATS URLs', () => {
  const { raw, request } = load(
    ['--print-config', '--auth-token', 's3cret-token', '--nats-servers', 'nats://me:hunter2@h:4222'],
    { RIGBENCH_AGENT_NATS_PASSWORD: 'pw-xyz' },
  );
  expect(request.printConfig).toBe(true);
  const text = maskedConfigJson(raw);
  expect(text).not.toMatch(/s3cret-token|hunter2|pw-xyz/);
  const printed = JSON.parse(text) as {
    auth: { token: string };
    nats: { password: string; token: string; servers: string[] };
  };
  expect(printed.auth.token).toBe(MASK);
  expect(printed.nats.password).toBe(MASK);
  expect(printed.nats.token).toBe('');
  expect(printed.nats.servers).toEqual([`nats://me:${MASK}@h:4222`]);
});

test('config - a non-loopback listen address needs a token, mTLS or --insecure', () => {
  expect(() => compileAgentConfig(load(['--listen', '0.0.0.0:50051']).raw)).toThrow(InsecureListenError);
  expect(compileAgentConfig(load(['--listen', '0.0.0.0:50051', '--insecure']).raw).insecure).toBe(true);
  const strong = 'a'.repeat(MIN_TOKEN_LENGTH);
  expect(
    compileAgentConfig(load(['--listen', '0.0.0.0:1'], { RIGBENCH_AGENT_AUTH_TOKEN: strong }).raw).authToken,
  ).toBe(strong);
  // A guessable token on the network is refused, naming the key and the minimum; loopback may use any.
  expect(() =>
    compileAgentConfig(load(['--listen', '0.0.0.0:1'], { RIGBENCH_AGENT_AUTH_TOKEN: 't' }).raw),
  ).toThrow(
    `config auth.token: the token has 1 characters; on a non-loopback address (0.0.0.0:1) it needs at least ${MIN_TOKEN_LENGTH}`,
  );
  expect(
    compileAgentConfig(load(['--listen', '127.0.0.1:1'], { RIGBENCH_AGENT_AUTH_TOKEN: 't' }).raw).authToken,
  ).toBe('t');
  const tokenFile = file('token', `from-file-${'x'.repeat(MIN_TOKEN_LENGTH)}\n`);
  expect(
    compileAgentConfig(load(['--listen', '10.0.0.5:1', '--auth-token-file', tokenFile]).raw).authToken,
  ).toBe(`from-file-${'x'.repeat(MIN_TOKEN_LENGTH)}`);
  const mtls = [
    '--tls-cert',
    'c.pem',
    '--tls-key',
    'k.pem',
    '--tls-ca',
    'ca.pem',
    '--tls-require-client-cert',
  ];
  expect(compileAgentConfig(load(['--listen', '[::]:1', ...mtls]).raw).tls?.requireClientCert).toBe(true);
  expect(compileAgentConfig(load(['--listen', 'localhost:0']).raw).listen.port).toBe(0);
});

test('config - bad values name the key and what would be valid', () => {
  expect(() => load(['--bogus', '1'])).toThrow(UnknownFlagError);
  expect(() => load(['--limits-max-tokens', '-3'])).toThrow(/limits\.maxTokens/);
  expect(() => load(['--shutdown-current-case', 'maybe'])).toThrow(ConfigValueError);
  expect(() => compileAgentConfig(load(['--listen', 'nope']).raw)).toThrow(/listen: 'nope' is not host:port/);
  expect(() => compileAgentConfig(load(['--labels', 'novalue']).raw)).toThrow(/labels: 'novalue' is not k=v/);
  expect(() => compileAgentConfig(load(['--id', 'a.b']).raw)).toThrow(/config id:/);
  expect(() => compileAgentConfig(load(['--tls-cert', 'c.pem']).raw)).toThrow(/tls.key/);
  expect(() => compileAgentConfig(load(['--tls-require-client-cert']).raw)).toThrow(ConfigValueError);
  const badYaml = file('bad.yaml', 'id: x\nlimits: [\n');
  expect(() => load(['--config', badYaml])).toThrow(ConfigFileError);
  expect(() => load(['--config', badYaml])).toThrow(/bad\.yaml:\d+:\d+/);
  const unknownKey = file('unknown.yaml', 'idd: x\n');
  expect(() => load(['--config', unknownKey])).toThrow(/idd/);
});

test('config - README.md documents every key with its flag and environment variable', () => {
  const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'README.md'), 'utf8');
  for (const key of describeConfigKeys()) {
    expect(readme).toContain(`| \`${key.key}\` | \`--${key.arg}\` | \`${key.env}\` |`);
  }
});
