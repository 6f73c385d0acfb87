/** Versions of the libraries that measure, read from disk so the fingerprint reports what actually ran. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The installed node-llama-cpp version (its package.json is not in its `exports`, so walk up from its entry). */
export function nodeLlamaCppVersion(): string {
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve('node-llama-cpp'));
  for (let depth = 0; depth < 5; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'node-llama-cpp' && pkg.version) return pkg.version;
    } catch {
      // Not here: go up one level.
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}
