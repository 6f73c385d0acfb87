import { compileAgentConfig, ConfigValueError, loadRawAgentConfig } from './index.js';

const compile = (argv: string[], env: Record<string, string> = {}) =>
  compileAgentConfig(loadRawAgentConfig({ argv: ['--id', 'box', ...argv], env }).raw);

test('config - energy sampling is on by default, can be tuned or turned off, and a bad interval names the key', () => {
  expect(compile([]).energy).toEqual({ idleBaselineMs: 1000, intervalMs: 100 });
  expect(
    compile(['--energy-interval-ms', '250'], { RIGBENCH_AGENT_ENERGY_IDLE_BASELINE_MS: '0' }).energy,
  ).toEqual({
    idleBaselineMs: 0,
    intervalMs: 250,
  });
  expect(compile([], { RIGBENCH_AGENT_ENERGY_ENABLED: 'false' }).energy).toBeNull();
  expect(() => compile(['--energy-interval-ms', '5'])).toThrow(ConfigValueError);
  expect(() => compile(['--energy-interval-ms', '5'])).toThrow(/energy\.intervalMs.*between 20 and 10000/);
});
