/**
 * Where the compiled worker script is. The engine forks `dist/engine/worker.js`, never the TypeScript source
 * (a worker must start fast and without a TypeScript loader). From the compiled engine the worker sits next door;
 * when the engine itself runs from `src/` (ts-jest), the last `/src/` segment of the path is swapped for `/dist/`,
 * so tests need `npx tsc -b` first.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sep } from 'node:path';
import { WorkerScriptMissingError } from './engine-errors.js';

/** Absolute path of `worker.js` for the module at `moduleUrl` (an `import.meta.url` of `src/engine` or `dist/engine`). */
export function resolveWorkerPath(moduleUrl: string, exists: (path: string) => boolean = existsSync): string {
  const besideModule = fileURLToPath(new URL('./worker.js', moduleUrl));
  const tried = [besideModule];
  if (exists(besideModule)) return besideModule;
  const marker = `${sep}src${sep}`;
  const at = besideModule.lastIndexOf(marker);
  if (at >= 0) {
    const inDist = `${besideModule.slice(0, at)}${sep}dist${sep}${besideModule.slice(at + marker.length)}`;
    tried.push(inDist);
    if (exists(inDist)) return inDist;
  }
  throw new WorkerScriptMissingError(tried);
}
