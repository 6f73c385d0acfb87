import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerConfigError, defaultStorePath, loadControllerConfig } from './controller-config.js';

describe('controller config', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rigbench-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('config - defaults: local NATS, store in the XDG data dir, frozen', () => {
    const config = loadControllerConfig({ env: { HOME: '/home/u' } });
    expect(config.nats.servers).toEqual(['nats://127.0.0.1:4222']);
    expect(config.storePath).toBe('/home/u/.local/share/rigbench/rigbench.db');
    expect(defaultStorePath({ XDG_DATA_HOME: '/data', HOME: '/home/u' })).toBe('/data/rigbench/rigbench.db');
    expect(config.grpc).toEqual({ deadlineMs: 10_000, keepaliveMs: 300_000 });
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.collector.durableName).toMatch(/^rigbench-[0-9a-f]{12}$/);
    expect(loadControllerConfig({ env: { HOME: '/home/v' } }).collector.durableName).not.toBe(
      config.collector.durableName,
    );
  });

  test('config - YAML file, then RIGBENCH_ environment, then command-line overrides', () => {
    const file = join(dir, 'controller.yaml');
    writeFileSync(
      file,
      [
        'nats:',
        '  servers: nats://file:4222',
        '  user: bench',
        'agents:',
        '  - id: rig-a',
        '    address: 10.0.0.5:50051',
        '    labels: { gpu: p104 }',
        'fleet:',
        '  staleAfterIntervals: 3',
        'store: rel/store.db',
      ].join('\n'),
    );
    const config = loadControllerConfig({
      env: {
        HOME: '/home/u',
        RIGBENCH_NATS_PASSWORD: 'pw',
        RIGBENCH_AGENT_TOKEN: 'tok',
        RIGBENCH_FLEET_LOST_AFTER_INTERVALS: '9',
      },
      configFile: file,
      cwd: dir,
      overrides: { natsServers: 'nats://a:1, nats://b:2' },
    });
    expect(config.nats).toMatchObject({
      servers: ['nats://a:1', 'nats://b:2'],
      user: 'bench',
      password: 'pw',
    });
    expect(config.agents).toEqual([{ id: 'rig-a', address: '10.0.0.5:50051', labels: { gpu: 'p104' } }]);
    expect(config.agentToken).toBe('tok');
    expect(config.fleet).toMatchObject({ staleAfterIntervals: 3, lostAfterIntervals: 9 });
    expect(config.storePath).toBe(join(dir, 'rel/store.db'));
  });

  test('config - static agents from RIGBENCH_AGENTS JSON; bad values name the key', () => {
    const agents = JSON.stringify([{ id: 'rig-b', address: 'box:50051', token: 't' }]);
    expect(loadControllerConfig({ env: { RIGBENCH_AGENTS: agents } }).agents[0]).toMatchObject({
      id: 'rig-b',
      token: 't',
    });
    const bad = JSON.stringify([{ id: 'rig b', address: 'box' }]);
    expect(() => loadControllerConfig({ env: { RIGBENCH_AGENTS: bad } })).toThrow(/agents\[0\]\.id/);
    expect(() => loadControllerConfig({ env: { RIGBENCH_AGENTS: '[oops' } })).toThrow(
      /RIGBENCH_AGENTS must be a JSON array/,
    );
    expect(() => loadControllerConfig({ env: { RIGBENCH_FLEET_LOST_AFTER_INTERVALS: '1' } })).toThrow(
      /fleet.lostAfterIntervals \(1\) must be greater than fleet.staleAfterIntervals/,
    );
    expect(() => loadControllerConfig({ env: {}, configFile: join(dir, 'missing.yaml') })).toThrow(
      ControllerConfigError,
    );
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ natz: {} }));
    expect(() => loadControllerConfig({ env: {}, configFile: join(dir, 'typo.json') })).toThrow(/natz/);
  });
});
