import { RIGBENCH_VERSION } from './version.js';

test('version - is a semver string', () => {
  expect(RIGBENCH_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
});
