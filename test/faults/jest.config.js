/**
 * The fault suite (`npm run test:faults`): real processes killed and fed bad input, every figure recorded by the
 * tests and printed as one table at the end by ./figures-reporter.js. Kept out of `npm run jest` (its files end
 * in `.faults.ts`, not `.test.ts`) because it takes minutes and needs the built binaries.
 */
import base from '../../jest.config.js';

export default {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['<rootDir>/test/faults/**/*.faults.ts'],
  reporters: ['default', '<rootDir>/test/faults/figures-reporter.js'],
  testTimeout: 300_000,
  // Two cores: the cross-process scenarios each run an agent, a worker, nats-server and a controller.
  maxWorkers: 2,
};
