/**
 * No module of a package imports itself back through others, type imports included (eslint's import-x/no-cycle
 * leaves `import type` out; a type-only cycle still ties two modules together, as ActionBinder tied program.ts
 * to every command).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect, test } from '@jest/globals';

const ROOT = join(import.meta.dirname, '..');
const SOURCES = ['libs/shared/src', 'apps/agent/src', 'apps/controller/src'];
const RELATIVE_IMPORT = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** Product modules (tests and generated code left out) and the modules each imports, by repository path. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const base of SOURCES) {
    for (const entry of readdirSync(join(ROOT, base), { recursive: true, withFileTypes: true })) {
      const file = join(entry.parentPath, entry.name);
      if (
        !entry.isFile() ||
        !file.endsWith('.ts') ||
        file.endsWith('.test.ts') ||
        file.includes('/generated/')
      )
        continue;
      const imports = [...readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)]
        .map((m) => join(dirname(file), (m[1] ?? '').replace(/\.js$/, '.ts')))
        .filter((target) => existsSync(target))
        .map((target) => relative(ROOT, target));
      graph.set(relative(ROOT, file), [...new Set(imports)]);
    }
  }
  return graph;
}

/** The strongly connected components of more than one module (Tarjan), each sorted. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('import graph - no cycles among the modules of libs/shared, apps/agent and apps/controller', () => {
  const graph = importGraph();
  expect(graph.size).toBeGreaterThan(100);
  expect(graph.get('apps/controller/src/cli/program.ts')).toContain(
    'apps/controller/src/commands/run-command.ts',
  );
  expect(cycles(graph)).toEqual([]);
});

test('cycle finder - finds a two-module and a three-module cycle, not a diamond', () => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['a', 'c']],
    ['c', ['d', 'e']],
    ['d', ['f']],
    ['e', ['f']],
    ['f', ['g']],
    ['g', ['h']],
    ['h', ['f']],
  ]);
  expect(cycles(graph)).toEqual([
    ['f', 'g', 'h'],
    ['a', 'b'],
  ]);
});
