/**
 * Unit tests under another Node.js major (`.ci/node-matrix.sh`, CI): the unit tests beside the code in libs/ and
 * apps/, without the one that runs real inference (the agent engine's: covered by the Node 20 run).
 * better-sqlite3 is a native addon built for the ABI of the Node that ran `npm ci`; the script builds a copy for
 * this Node and passes its folder in RIGBENCH_BETTER_SQLITE3, which is mapped in here, so the store tests run too.
 */
import process from 'node:process';
import base from '../../jest.config.js';

const betterSqlite3 = process.env.RIGBENCH_BETTER_SQLITE3;

export default {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/libs', '<rootDir>/apps'],
  testMatch: ['**/src/**/*.test.ts'],
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    // Real inference (node-llama-cpp workers, minutes on two cores); node-llama-cpp is Node-API, ABI-stable.
    '/apps/agent/src/engine/inference-engine.test.ts',
    ...(betterSqlite3 ? [] : ['/apps/controller/src/store/']),
  ],
  moduleNameMapper: {
    ...base.moduleNameMapper,
    ...(betterSqlite3 ? { '^better-sqlite3$': `${betterSqlite3}/lib/index.js` } : {}),
  },
};
