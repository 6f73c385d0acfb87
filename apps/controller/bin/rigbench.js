#!/usr/bin/env node
// The `rigbench` command as npm links it: a committed launcher that loads the built CLI, so `npm ci` can link a
// file that exists before `npm run build` has written dist/.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write(
    `rigbench: ${fileURLToPath(cli)} is missing: run \`npm run build\` first (in the repository root)\n`,
  );
  process.exit(1);
}
await import(cli.href);
