import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Golden files of the report and compare tests (`test/golden/`); `UPDATE_GOLDEN=1 npm run jest -- …` rewrites them. */
export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

/** Raised when a golden file is missing and UPDATE_GOLDEN is not set. */
export class MissingGoldenFileError extends Error {
  override name = 'MissingGoldenFileError';
  constructor(path: string, options?: ErrorOptions) {
    super(`golden file ${path} does not exist: run the test with UPDATE_GOLDEN=1 to create it`, options);
  }
}

/**
 * The expected content of golden file `name`: with `UPDATE_GOLDEN=1` the actual content is written first (and
 * so returned); otherwise the stored file is read.
 */
export function golden(name: string, actual: string): string {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  if (!existsSync(path)) throw new MissingGoldenFileError(path);
  return readFileSync(path, 'utf8');
}
