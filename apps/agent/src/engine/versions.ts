/** Versions of the libraries that measure, read from disk so the fingerprint reports what actually ran. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The installed node-llama-cpp package: its folder and version (its package.json is not in its `exports`, so walk
 * up from its entry); null when no package.json up the tree names it.
 */
function findNodeLlamaCpp(): { dir: string; version: string } | null {
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve('node-llama-cpp'));
  for (let depth = 0; depth < 5; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'node-llama-cpp' && pkg.version) return { dir, version: pkg.version };
    } catch {
      // Not here: go up one level.
    }
    dir = path.dirname(dir);
  }
  return null;
}

/** The installed node-llama-cpp version, `unknown` when its package.json cannot be found. */
export function nodeLlamaCppVersion(): string {
  return findNodeLlamaCpp()?.version ?? 'unknown';
}

/** The folder of the installed node-llama-cpp package (its `llama/` source bundle, `dist/cli`). */
export function nodeLlamaCppPackageDir(): string {
  const found = findNodeLlamaCpp();
  if (found == null) throw new Error('cannot find the node-llama-cpp package (run npm ci)');
  return found.dir;
}
