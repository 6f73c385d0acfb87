import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ModelDownloadError,
  ModelNotFoundError,
  ModelOutsideModelsDirError,
  ModelReferenceInvalidError,
  resolveModelPath,
} from './model-path.js';
import { guardedUriResolver, nodeLlamaCppDownloadPlanner } from './model-download.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'rigbench-models-')));
const outside = realpathSync(mkdtempSync(join(tmpdir(), 'rigbench-outside-')));
writeFileSync(join(root, 'a.gguf'), 'GGUF');
mkdirSync(join(root, 'sub'));
writeFileSync(join(root, 'sub', 'b.gguf'), 'GGUF');
writeFileSync(join(outside, 'secret.gguf'), 'GGUF');
symlinkSync(join(outside, 'secret.gguf'), join(root, 'escape.gguf'));
symlinkSync(outside, join(root, 'escape-dir'));
symlinkSync(join(root, 'sub', 'b.gguf'), join(root, 'alias.gguf'));

test('model-path - relative, nested, absolute-inside and inside symlinks resolve to the real file', async () => {
  expect(await resolveModelPath(root, 'a.gguf')).toBe(join(root, 'a.gguf'));
  expect(await resolveModelPath(root, 'sub/b.gguf')).toBe(join(root, 'sub', 'b.gguf'));
  expect(await resolveModelPath(root, join(root, 'a.gguf'))).toBe(join(root, 'a.gguf'));
  expect(await resolveModelPath(root, 'alias.gguf')).toBe(join(root, 'sub', 'b.gguf'));
});

test('model-path - .. segments, outside absolute paths and symlink escapes are refused with the reason', async () => {
  await expect(resolveModelPath(root, '../x.gguf')).rejects.toThrow(ModelOutsideModelsDirError);
  await expect(resolveModelPath(root, 'sub/../a.gguf')).rejects.toThrow(/contains '\.\.'/);
  await expect(resolveModelPath(root, join(outside, 'secret.gguf'))).rejects.toThrow(
    /is outside the models directory/,
  );
  await expect(resolveModelPath(root, 'escape.gguf')).rejects.toThrow(
    /resolves to .*secret\.gguf.*symlink escape/,
  );
  await expect(resolveModelPath(root, 'escape-dir/secret.gguf')).rejects.toThrow(ModelOutsideModelsDirError);
});

test('model-path - missing files are NOT_FOUND material, malformed references are invalid', async () => {
  await expect(resolveModelPath(root, 'nope.gguf')).rejects.toThrow(ModelNotFoundError);
  await expect(resolveModelPath(root, 'nope.gguf')).rejects.toThrow(/model 'nope\.gguf' not found in /);
  await expect(resolveModelPath(join(root, 'no-such-dir'), 'a.gguf')).rejects.toThrow(
    /models directory .* does not exist/,
  );
  await expect(resolveModelPath(root, '')).rejects.toThrow(ModelReferenceInvalidError);
  await expect(resolveModelPath(root, 'a\0.gguf')).rejects.toThrow(/NUL byte/);
  await expect(resolveModelPath(root, 'sub')).rejects.toThrow(/not a regular file/);
});

test('model-path - hf: URIs without network fail with a ModelDownloadError that says what to do', async () => {
  await expect(resolveModelPath(root, 'hf:user/repo:Q4_K_M')).rejects.toThrow(ModelDownloadError);
  const error = await resolveModelPath(root, 'hf:nobody/nothing-GGUF:Q4_K_M', {
    resolveUri: guardedUriResolver(
      { enabled: true, allowRepos: ['nobody/*'], maxBytes: 1e12, minFreeBytes: 0 },
      nodeLlamaCppDownloadPlanner,
      { info: () => undefined },
    ),
    signal: AbortSignal.timeout(30_000),
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelDownloadError);
  expect((error as Error).message).toMatch(
    /cannot resolve hf:nobody\/nothing-GGUF:Q4_K_M into .*copy the GGUF file/,
  );
});

test('model-path - an hf: resolver that lands outside the models directory is refused', async () => {
  const sneaky = async (): Promise<string> => join(outside, 'secret.gguf');
  await expect(resolveModelPath(root, 'hf:user/repo', { resolveUri: sneaky })).rejects.toThrow(
    ModelOutsideModelsDirError,
  );
  const honest = async (_uri: string, dir: string): Promise<string> => join(dir, 'a.gguf');
  expect(await resolveModelPath(root, 'hf:user/repo', { resolveUri: honest })).toBe(join(root, 'a.gguf'));
});
