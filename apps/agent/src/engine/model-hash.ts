/**
 * sha256 of model files, cached by path, size and modification time in a small JSON file: hashing a 9 GB model
 * takes a minute, and the fingerprint needs it for every run.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

interface CacheEntry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** Default cache file: `$XDG_CACHE_HOME/rigbench/model-sha256.json` or `~/.cache/rigbench/model-sha256.json`. */
export function defaultHashCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'rigbench', 'model-sha256.json');
}

/** sha256 of a whole file, lowercase hex. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class ModelHashCache {
  /** Files hashed (not served from the cache) by this instance; lets tests see the cache work. */
  hashed = 0;
  private entries: Record<string, CacheEntry> | null = null;

  constructor(private readonly cacheFile: string = defaultHashCacheFile()) {}

  /** sha256 of `file`, from the cache when path, size and mtime are unchanged. */
  async sha256(file: string): Promise<string> {
    const absolute = path.resolve(file);
    const stats = await stat(absolute);
    const entries = await this.load();
    const cached = entries[absolute];
    if (cached && cached.size === stats.size && cached.mtimeMs === stats.mtimeMs) return cached.sha256;
    const sha256 = await sha256OfFile(absolute);
    this.hashed++;
    entries[absolute] = { size: stats.size, mtimeMs: stats.mtimeMs, sha256 };
    await this.save(entries);
    return sha256;
  }

  private async load(): Promise<Record<string, CacheEntry>> {
    if (this.entries) return this.entries;
    try {
      const parsed: unknown = JSON.parse(await readFile(this.cacheFile, 'utf8'));
      this.entries = parsed && typeof parsed === 'object' ? (parsed as Record<string, CacheEntry>) : {};
    } catch {
      // Missing or unreadable cache: start afresh, it is only a cache.
      this.entries = {};
    }
    return this.entries;
  }

  private async save(entries: Record<string, CacheEntry>): Promise<void> {
    await mkdir(path.dirname(this.cacheFile), { recursive: true });
    const temporary = `${this.cacheFile}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(entries, null, 1));
    await rename(temporary, this.cacheFile);
  }
}
