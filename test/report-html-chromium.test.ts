import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { renderReport } from '../apps/controller/src/report/index.js';
import { seedDataset, seedRoundRuns, seedRuns } from './support/seed-dataset.js';
import { CHROMIUM, chromium as runChromium } from './support/chromium.js';

/**
 * The HTML report laid out by a real headless Chromium (Debian's `chromium`, installed by .ci/run): a screenshot
 * is written, and a layout probe run inside the page checks that no label is clipped (scrollWidth ≤ clientWidth)
 * and that the answers start above the fold of a 1280×800 window. The report itself has no scripts; the probe is
 * added to a copy for the test only and writes its findings into the DOM, which `--dump-dom` prints.
 */

const WIDTH = 1280;
const HEIGHT = 800;
const dir = mkdtempSync(join(tmpdir(), 'rigbench-html-'));
// KEEP_SCREENSHOTS=1 keeps the pages and screenshots to look at.
afterAll(() => {
  if (process.env.KEEP_SCREENSHOTS !== '1') rmSync(dir, { recursive: true, force: true });
  else console.log(`screenshots in ${dir}`);
});

const PROBE = `<script>
addEventListener('load', () => {
  const clipped = [];
  for (const el of document.querySelectorAll('.bar-label, .facet-title, figcaption, th, td, h1, h2, h3, h4, li.answer, summary')) {
    if (el.scrollWidth > el.clientWidth + 1) clipped.push(el.tagName + ' ' + el.className + ': ' + el.textContent.slice(0, 80));
  }
  const first = document.querySelector('#answers li.answer');
  const out = {
    clipped,
    labels: document.querySelectorAll('.bar-label').length,
    firstAnswerTop: first ? first.getBoundingClientRect().top : null,
    firstAnswerBottom: first ? first.getBoundingClientRect().bottom : null,
    viewport: innerHeight,
    pageWidth: document.documentElement.scrollWidth,
  };
  const pre = document.createElement('pre');
  pre.id = 'layout-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>`;

/** Headless Chromium at the page size the layout checks assume. */
const chromium = (args: string[]): string => runChromium(dir, args, WIDTH, HEIGHT);

interface Probe {
  clipped: string[];
  labels: number;
  firstAnswerTop: number | null;
  firstAnswerBottom: number | null;
  viewport: number;
  pageWidth: number;
}

describe('HTML report in headless Chromium', () => {
  test("chromium is installed (.ci/run installs Debian's chromium)", () => {
    expect(CHROMIUM).toBeDefined();
  });

  const cases = [
    ['seed-all', () => [seedDataset()]],
    ['seed-morning-night', () => seedRuns()],
    ['seed-rounds', () => seedRoundRuns()],
  ] as const;
  test.each(cases)(
    '%s: answers above the fold, no label clipped, screenshot written',
    (name, datasets) => {
      const html = renderReport(datasets(), 'html');
      const page = join(dir, `${name}.html`);
      writeFileSync(page, html);
      const shot = join(dir, `${name}.png`);
      chromium([`--screenshot=${shot}`, `file://${page}`]);
      expect(statSync(shot).size).toBeGreaterThan(10_000);

      const probed = join(dir, `${name}.probe.html`);
      writeFileSync(probed, html.replace('</body>', `${PROBE}</body>`));
      const dom = chromium(['--virtual-time-budget=5000', '--dump-dom', `file://${probed}`]);
      const m = /<pre id="layout-probe">([^<]*)<\/pre>/.exec(dom);
      expect(m).not.toBeNull();
      const probe = JSON.parse(m![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as Probe;
      // Headless Chromium keeps part of the window for its (invisible) frame: the page gets innerHeight.
      expect(probe.viewport).toBeGreaterThan(HEIGHT * 0.75);
      expect(probe.labels).toBeGreaterThan(0);
      expect(probe.clipped).toEqual([]);
      expect(probe.firstAnswerTop).not.toBeNull();
      expect(probe.firstAnswerBottom!).toBeLessThanOrEqual(probe.viewport);
      expect(probe.pageWidth).toBeLessThanOrEqual(WIDTH);
    },
    120_000,
  );
});
