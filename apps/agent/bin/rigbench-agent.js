#!/usr/bin/env node
// The `rigbench-agent` command as npm links it: a committed launcher that loads the built agent, so `npm ci` can
// link a file that exists before `npm run build` has written dist/.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(
    `rigbench-agent: ${fileURLToPath(main)} is missing: run \`npm run build\` first (in the repository root)\n`,
  );
  process.exit(1);
}
await import(main.href);
