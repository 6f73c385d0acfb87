import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { seedDataset, seedRuns, SEED_ROWS } from '../../../../test/support/seed-dataset.js';
import { golden } from '../../../../test/support/golden-files.js';
import {
  renderReport,
  REPORT_FORMATS,
  UnknownReportFormatError,
  writeReport,
  type ReportFormat,
} from './render-report.js';

describe('report golden files (seed fixture)', () => {
  const cases: [string, ReportFormat, 'all' | 'runs', Parameters<typeof renderReport>[2]][] = [
    ['seed-all.md', 'md', 'all', {}],
    ['seed-all.csv', 'csv', 'all', {}],
    ['seed-all.samples.csv', 'csv', 'all', { csvRows: 'samples' }],
    ['seed-all.json', 'json', 'all', {}],
    ['seed-all.html', 'html', 'all', {}],
    ['seed-morning-night.md', 'md', 'runs', {}],
    ['seed-morning-night.html', 'html', 'runs', {}],
  ];
  test.each(cases)('%s is byte for byte the golden file', (name, format, which, options) => {
    const datasets = which === 'all' ? [seedDataset()] : seedRuns();
    const actual = renderReport(datasets, format, options);
    expect(actual).toBe(golden(name, actual));
  });
});

describe('report content', () => {
  test('md - the rounds table reproduces the seed post, cell for cell', () => {
    const md = renderReport([seedDataset()], 'md');
    const fmt = (v: number): string => v.toFixed(2);
    for (const row of SEED_ROWS) {
      const cells = row.prompts.map(([tps, ttft]) => `${fmt(tps)}, ${fmt(ttft)}`).join(' | ');
      expect(md).toContain(`| ${row.backend} | ${row.model} | 0,1 | ${row.round} | ${cells} |`);
    }
  });

  test('md - combined morning and night runs name rounds by run label', () => {
    const md = renderReport(seedRuns(), 'md');
    // CUDA changed llama.cpp release overnight: the rows say so beside their numbers.
    expect(md).toContain(
      '| cuda | llama-8b | llama.cpp b4546 | morning #1 | 10.99, 0.88 | 23.67, 0.50 | 21.20, 1.59 |',
    );
    expect(md).toContain(
      '| cuda | llama-8b | llama.cpp b4589 | night #2 | 26.58, 0.35 | 23.40, 0.12 | 20.54, 1.43 |',
    );
    // The changed llama.cpp release shows up as a varied fingerprint field with the runs that had each value.
    expect(md).toMatch(/\| llamaCppRelease \| b4546 \| 12 \| [^|]+ \| morning \|/);
    expect(md).toMatch(/\|\s+\| b4589 \| 6 \| cuda llama-8b, cuda qwen-14b \| night \|/);
    // … and, near the top, only what changed for the same configuration (not backend or model, which differ by design).
    const changed = md.slice(md.indexOf('### What changed'), md.indexOf('## Rounds'));
    expect(changed).toContain('| llamaCppRelease | b4546 |');
    expect(changed).not.toContain('| backend |');
    expect(md.indexOf('### What changed')).toBeLessThan(md.indexOf('## Fingerprints'));
  });

  test('md - llama-bench style rows give mean ± sd and n', () => {
    const md = renderReport([seedDataset()], 'md');
    // 8B CUDA q1: mean of 10.99, 20.33, 27.50, 26.58 = 21.35, sd 7.61.
    expect(md).toContain('| llama-8b | cuda | 0,1 | 4 (auto) | chat:q1 | 4 | 21.35 ± 7.61 |');
    expect(md).toContain('| qwen-14b | vulkan | 0,1 | 4 (auto) | chat:q1 | 1 | 20.71 ± — |');
  });

  test('md - raw llama-bench tests: pp reports prompt t/s, tg reports decode t/s', () => {
    const ds = seedDataset();
    // Turn the 8B CUDA q1/q2 cases into a pp512 and a tg128 test.
    const raw = new Map([
      ['c000-llama-8b-cuda-q1', { id: 'pp512', promptTokens: 512, generatedTokens: 0, depth: 0 }],
      ['c001-llama-8b-cuda-q2', { id: 'tg128', promptTokens: 0, generatedTokens: 128, depth: 0 }],
    ]);
    for (const c of ds.cases) {
      const test = raw.get(c.caseId);
      if (test) c.benchCase.workload = { mode: 'raw', test };
    }
    for (const s of ds.samples) {
      if (s.caseId === 'c000-llama-8b-cuda-q1') {
        Object.assign(s.sample, {
          mode: 'raw',
          promptTokens: 512,
          promptSeconds: 2,
          promptTokensPerSecond: 256,
        });
        Object.assign(s.sample, { generatedTokens: 0, ttftSeconds: null, interTokenLatency: null });
      }
    }
    const md = renderReport([ds], 'md');
    expect(md).toContain('| llama-8b | cuda | 0,1 | 4 (auto) | pp512 | 4 | 256.00 ± 0.00 |');
    expect(md).toContain('| llama-8b | cuda | 0,1 | 4 (auto) | tg128 | 4 | 22.46 ± 1.89 |');
    // Raw tests are not chat prompts: the rounds table keeps only q3 for 8B CUDA.
    expect(md).toMatch(/\| round \| q3 \(tok\/s, TTFT s\) \| q1 \(tok\/s, TTFT s\) \|/);
  });

  test('md - failed and skipped cases are folded to one line per reason with a count', () => {
    const ds = seedDataset();
    const reason = 'backend vulkan is not available on this agent';
    for (const c of ds.cases.filter((x) => x.benchCase.backend === 'vulkan')) {
      c.outcome = 'skipped';
      c.reason = reason;
    }
    const md = renderReport([ds], 'md');
    expect(md).toContain('| failed | 1 | out of VRAM');
    expect(md).toContain(`| skipped | 6 | ${reason} | seed-all dorm-aio c`);
    expect(md).toContain('; and 3 more |');
    expect(md.split('\n').filter((l) => l.includes(reason))).toHaveLength(1);
  });

  test('md - the answer comes before every table', () => {
    const md = renderReport([seedDataset()], 'md');
    const answer = md.indexOf('## The answer');
    expect(answer).toBeGreaterThan(0);
    expect(answer).toBeLessThan(md.indexOf('| run |'));
    // One run: each backend has one round, so no verdict claims more than the data allow.
    expect(md).toContain(
      "qwen-14b, all prompts: can't tell yet: vulkan decodes 39% faster than cuda in these figures, but each side has one round",
    );
  });

  test('md - an incomplete run is flagged with what is missing', () => {
    const ds = seedDataset();
    ds.run.status = 'incomplete';
    ds.run.missing = ['agent dorm-aio: run.finished never arrived'];
    const md = renderReport([ds], 'md');
    expect(md).toContain('> **Warning:** Run seed-all is incomplete.');
    expect(md).toContain('> **Warning:** seed-all: agent dorm-aio: run.finished never arrived');
  });

  test('json - parses, carries every raw sample and a summary per group', () => {
    const ds = seedDataset();
    const report = JSON.parse(renderReport([ds], 'json')) as {
      samples: { caseId: string; decodeTokensPerSecond: number }[];
      groups: {
        test: string;
        backend: string;
        model: string;
        metrics: Record<string, { n: number } | null>;
      }[];
    };
    expect(report.samples).toHaveLength(ds.samples.length);
    expect(report.samples.map((s) => s.decodeTokensPerSecond)).toEqual(
      ds.samples.map((s) => s.sample.decodeTokensPerSecond),
    );
    const g = report.groups.find(
      (x) => x.model === 'llama-8b' && x.backend === 'cuda' && x.test === 'chat:q1',
    )!;
    expect(g.metrics.decodeTokensPerSecond!.n).toBe(4);
    const summaryOnly = JSON.parse(renderReport([ds], 'json', { rawSamples: false })) as Record<
      string,
      unknown
    >;
    expect(summaryOnly.samples).toBeUndefined();
  });

  test('csv - one row per group and metric, or one per sample', () => {
    const ds = seedDataset();
    const groups = renderReport([ds], 'csv').trimEnd().split('\n');
    expect(groups[0]).toMatch(/^agent,model,backend,devices,threads,settings,test,runs,metric,unit,n,mean/);
    // 12 groups with samples × 8 metrics (ITL p50, p90 and p99 each).
    expect(groups).toHaveLength(1 + 12 * 8);
    // Rate intervals are on the log scale: the prompt t/s of 8B CUDA Q1 spreads 5.2 to 75 tok/s, yet its
    // interval stays above 0 (the t interval of the mean went down to −21.7).
    const prompt = groups.find((l) => l.includes(',chat:q1,') && l.includes('promptTokensPerSecond'))!;
    expect(Number(prompt.split(',').at(-4))).toBeGreaterThan(0);
    const samples = renderReport([ds], 'csv', { csvRows: 'samples' }).trimEnd().split('\n');
    expect(samples).toHaveLength(1 + ds.samples.length);
  });

  test('html - self-contained: no network references, no scripts, inline SVG charts', () => {
    for (const datasets of [[seedDataset()], seedRuns()]) {
      const html = renderReport(datasets, 'html');
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).not.toMatch(/<script|<link|@import|url\(/i);
      expect(html).not.toMatch(/(src|href)\s*=/i);
      expect(html).toMatch(/^<!doctype html>/);
      expect(html.match(/<div class="facets">/g)!.length).toBeGreaterThanOrEqual(3);
      expect(html).toContain('<svg class="dots"');
    }
  });

  test('writeReport streams the same bytes as renderReport, for every format', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigbench-report-'));
    try {
      for (const format of REPORT_FORMATS) {
        const path = join(dir, `report.${format}`);
        const fd = openSync(path, 'w');
        const chars = writeReport(seedRuns(), format, fd, { csvRows: 'samples' });
        closeSync(fd);
        const expected = renderReport(seedRuns(), format, { csvRows: 'samples' });
        expect(readFileSync(path, 'utf8')).toBe(expected);
        expect(chars).toBe(expected.length);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('unknown format - named error listing the valid ones', () => {
    expect(() => renderReport([seedDataset()], 'pdf' as ReportFormat)).toThrow(UnknownReportFormatError);
    expect(() => renderReport([seedDataset()], 'pdf' as ReportFormat)).toThrow(
      'use one of md, csv, json, html',
    );
  });
});
