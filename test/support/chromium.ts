/**
 * Debian's headless Chromium for tests that lay out a report page (installed by .ci/run). The page itself has no
 * scripts; a probe script added to a copy writes its findings into the DOM, which `--dump-dom` prints.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Chromium binary, when installed. */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** Runs headless Chromium with `args` in a window of `width`×`height`; returns stdout. */
export function chromium(dir: string, args: string[], width = 1280, height = 800): string {
  if (CHROMIUM === undefined)
    throw new Error('chromium is not installed (.ci/run installs Debian’s chromium)');
  const r = spawnSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--window-size=${width},${height}`,
      ...args,
    ],
    { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 2 ** 20 },
  );
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`chromium exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/**
 * Lays out `html` (written to `dir/name.html`) with `probe`, a script body run on load that returns a JSON-able
 * value, and returns that value.
 */
export function probePage<T>(dir: string, name: string, html: string, probe: string): T {
  const page = join(dir, `${name}.probe.html`);
  const script = `<script>addEventListener('load', () => { const out = (() => { ${probe} })();
    const pre = document.createElement('pre'); pre.id = 'layout-probe'; pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre); });</script>`;
  writeFileSync(page, html.replace('</body>', `${script}</body>`));
  const dom = chromium(dir, ['--virtual-time-budget=5000', '--dump-dom', `file://${page}`]);
  const m = /<pre id="layout-probe">([^<]*)<\/pre>/.exec(dom);
  if (m === null) throw new Error(`the layout probe wrote nothing into ${page}`);
  return JSON.parse(
    m[1]!
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  ) as T;
}
