/**
 * Jest runs the TypeScript sources directly (ts-jest, ESM mode, no type-check: `tsc -b` does that).
 * Unit tests live beside the code (`src/**\/*.test.ts`), cross-process tests under `test/`.
 * Must run under `node --experimental-vm-modules` because node-llama-cpp is ESM-only.
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleNameMapper: {
    '^@rigbench/shared$': '<rootDir>/libs/shared/src/index.ts',
    '^@rigbench/shared/random$': '<rootDir>/libs/shared/src/random/seeded-random.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  testTimeout: 120_000,
  maxWorkers: 2,
};
