/**
 * Every package declares what it imports: a bare import in a workspace's product code is one of its
 * `dependencies`, one in its unit tests one of its `dependencies` or `devDependencies`, and the repository's own
 * tests and benchmarks (test/, bench/) import only what the root manifest or a workspace declares. A package that
 * works only because npm hoisted someone else's dependency breaks when installed alone (`npm pack`, the image).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, test } from '@jest/globals';

const ROOT = join(import.meta.dirname, '..');

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  workspaces?: string[];
}

const manifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|mjs|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .filter((file) => !/(^|\/)(node_modules|dist|generated)\//.test(file));
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
const BUILTINS = new Set(builtinModules);

/** The packages a file imports by bare name (`@scope/name` or `name`, subpaths dropped, builtins left out). */
function importedPackages(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const names = new Set<string>();
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3] ?? '';
    if (spec.startsWith('.') || spec.startsWith('node:') || spec.startsWith('/')) continue;
    const parts = spec.split('/');
    const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
    if (!BUILTINS.has(name)) names.add(name);
  }
  return [...names];
}

/** `file imports name` for each bare import of `files` that `declared` lacks. */
function undeclared(files: readonly string[], declared: ReadonlySet<string>): string[] {
  return files.flatMap((file) =>
    importedPackages(file)
      .filter((name) => !declared.has(name))
      .map((name) => `${file} imports ${name}`),
  );
}

const WORKSPACES = manifest('.').workspaces ?? [];

describe('package manifests', () => {
  test('the workspaces are the three packages', () => {
    expect(WORKSPACES).toEqual(['libs/shared', 'apps/agent', 'apps/controller']);
  });

  test.each(WORKSPACES)(
    '%s - product code imports only its dependencies, unit tests also its devDependencies',
    (dir) => {
      const m = manifest(dir);
      const files = sourceFiles(join(dir, 'src'));
      const product = files.filter((file) => !file.endsWith('.test.ts'));
      expect(product.length).toBeGreaterThan(5);
      const dependencies = new Set(Object.keys(m.dependencies ?? {}));
      expect(undeclared(product, dependencies)).toEqual([]);
      const withDev = new Set([...dependencies, ...Object.keys(m.devDependencies ?? {})]);
      expect(
        undeclared(
          files.filter((file) => file.endsWith('.test.ts')),
          withDev,
        ),
      ).toEqual([]);
    },
  );

  test('node-llama-cpp is declared, at the one pinned version, by every package that imports it', () => {
    const versions = new Set<string>();
    for (const dir of ['.', ...WORKSPACES]) {
      const m = manifest(dir);
      const version = m.dependencies?.['node-llama-cpp'] ?? m.devDependencies?.['node-llama-cpp'];
      if (version) versions.add(version);
    }
    expect([...versions]).toEqual(['3.21.1']);
    expect(manifest('apps/agent').dependencies?.['node-llama-cpp']).toBe('3.21.1');
  });

  test('test/ and bench/ import only what the root manifest declares or a workspace package', () => {
    const root = manifest('.');
    const declared = new Set([
      ...Object.keys(root.devDependencies ?? {}),
      ...WORKSPACES.map((dir) => manifest(dir).name),
    ]);
    const files = [...sourceFiles('test'), ...sourceFiles('bench')];
    expect(files.length).toBeGreaterThan(20);
    expect(undeclared(files, declared)).toEqual([]);
  });
});
