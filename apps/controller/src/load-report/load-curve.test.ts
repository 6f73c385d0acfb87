import { loadCurveHtml, loadCurveSvg } from './load-curve.js';

const points = [
  { concurrency: 1, outputThroughput: 261, p90TtftMs: 43.2, p90ItlMs: 6.3, goodput: 8.16 },
  { concurrency: 2, outputThroughput: 355.4, p90TtftMs: 60.7, p90ItlMs: 6.9, goodput: 11.11 },
  { concurrency: 4, outputThroughput: 348.8, p90TtftMs: 62.7, p90ItlMs: 14.84, goodput: null },
];

describe('load curve', () => {
  test('load curve - one point per level on the throughput line, both latency lines, concurrency ticks', () => {
    const svg = loadCurveSvg(points, 'sweep');
    expect(svg.match(/<circle class="throughput"/g)).toHaveLength(3);
    for (const cls of ['throughput', 'ttft', 'itl'])
      expect(
        new RegExp(`<polyline class="${cls}" fill="none" points="([\\d.]+,[\\d.]+ ?){3}"`).test(svg),
      ).toBe(true);
    expect(svg).toContain('concurrency 2: 355.4 tok/s, goodput 11.11 req/s');
    expect(svg).toContain('concurrency 4: 348.8 tok/s</title>');
    // The left axis ends at the nice maximum above 355.4 (1, 2, 2.5, 5 × 10ⁿ: 500).
    expect(svg).toContain('>500</text>');
    expect(loadCurveSvg([], 'x')).toBe('');
  });

  test('load curve - the HTML page is self-contained', () => {
    const html = loadCurveHtml(points, 'sweep <1>', 'note');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|(src|href)=["']https?:/i);
    expect(html).toContain('sweep &lt;1&gt;');
    expect(html.match(/<tr><td>/g)).toHaveLength(3);
  });
});
