import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import {
  expandPlan,
  parseEvent,
  parsePlanYaml,
  type LoadLevelRecord,
  type LoadLevelRecordedEvent,
  type RigbenchEvent,
} from '@rigbench/shared';
import { renderReport } from '../report/index.js';
import { syntheticRunEvents } from '../../../../test/support/synthetic-run.js';
import { buildRunDataset } from './build-run-dataset.js';
import { RunStore } from './run-store.js';

const planFile = fileURLToPath(new URL('../../../../examples/load-sweep.yaml', import.meta.url));

const latency = (median: number) => ({ mean: median, median, p90: median * 1.5, p99: median * 2 });

/** A level as an agent would record it: `concurrency` requests in flight, 2 of 4 requests within the SLOs. */
function level(concurrency: number, outputThroughput: number): LoadLevelRecord {
  return {
    testId: 'serve',
    concurrency,
    stream: 'concurrency',
    arrivalRate: null,
    slo: { ttftMs: 2000, itlP90Ms: 100 },
    maxTokens: 32,
    threads: 1,
    summary: {
      completed: 4,
      durationSeconds: 2,
      request_throughput: 2,
      output_throughput: outputThroughput,
      total_token_throughput: outputThroughput * 1.5,
      ttft: latency(40 * concurrency),
      tpot: latency(8),
      itl: latency(8 * concurrency),
      e2el: latency(300),
      goodput: 1,
      sloAttainment: 0.5,
    },
    requests: [0, 1, 2, 3].map((i) => ({
      arrivalMs: i * 10,
      ttftMs: 40,
      e2elMs: 300,
      promptTokens: 20,
      outputTokens: 32,
      itlMs: { p50: 8, p90: 9, p99: 30 },
      metSlo: i % 2 === 0,
    })),
  };
}

/** The synthetic agent's events for the example plan, each load case carrying its level. */
function runEvents(): RigbenchEvent[] {
  const plan = parsePlanYaml(readFileSync(planFile, 'utf8'), planFile);
  const cases = expandPlan(plan);
  const caseIds = cases.map((c) => c.caseId);
  const events = [
    ...syntheticRunEvents({
      runId: 'r1',
      agentId: 'a1',
      cases: 0,
      caseIds,
      samplesPerCase: 0,
      loadCaseIds: caseIds,
      plan,
    }),
  ];
  // Insert one level event before each case.finished, renumbering seq as an agent would.
  const out: RigbenchEvent[] = [];
  for (const e of events) {
    if (e.type === 'case.finished') {
      const c = cases.find((x) => x.caseId === e.caseId)!;
      const concurrency = c.workload.mode === 'load' ? c.workload.concurrency : 0;
      out.push({
        ...e,
        type: 'load.level.recorded',
        level: level(concurrency, 100 * Math.min(concurrency, 2)),
      } as unknown as LoadLevelRecordedEvent);
    }
    out.push(e);
  }
  out.forEach((e, i) => (e.seq = i + 1));
  const finished = out.at(-1)!;
  if (finished.type === 'run.finished') finished.lastSeq = out.length;
  return out;
}

describe('store - load levels', () => {
  test('store - load.level.recorded parses, is stored once in load_levels and read back into the dataset', () => {
    const events = runEvents().map((e) => parseEvent(JSON.stringify(e)));
    const store = RunStore.open(':memory:');
    try {
      expect(store.writeEvents(events).stored).toBe(events.length);
      // Redelivery is ignored (same run, agent and seq).
      expect(store.writeEvents(events.filter((e) => e.type === 'load.level.recorded'))).toMatchObject({
        stored: 0,
        duplicates: 3,
      });
      expect(store.db.prepare('SELECT count(*) FROM load_levels').pluck().get()).toBe(3);
      const ds = buildRunDataset(store, 'r1');
      expect(ds.run.status).toBe('complete');
      expect(ds.samples).toEqual([]);
      expect(ds.loadLevels!.map((l) => [l.caseId, l.level.concurrency])).toEqual([
        ['c000-small-cpu-serve-conc1', 1],
        ['c001-small-cpu-serve-conc2', 2],
        ['c002-small-cpu-serve-conc4', 4],
      ]);
      expect(ds.loadLevels![2]!.level).toEqual(level(4, 200));

      // The report: a row per level, the curve per sweep, the levels in json.
      const md = renderReport([ds], 'md');
      expect(md).toContain('| a1 small cpu serve, t=1 | 4 | 4/4 | 2.00 | 200.0 |');
      const html = renderReport([ds], 'html');
      expect(html.match(/<svg class="load-curve"/g)).toHaveLength(1);
      expect(html.match(/<circle class="throughput"/g)).toHaveLength(3);
      const json = JSON.parse(renderReport([ds], 'json')) as { load: { concurrency: number }[] };
      expect(json.load.map((l) => l.concurrency)).toEqual([1, 2, 4]);
    } finally {
      store.close();
    }
  });

  test('store - level energy round-trips (measured, null, absent); tok/J and W join the table only when measured', () => {
    const phase = (watts: number, seconds: number, tokens: number) => ({
      seconds,
      joules: watts * seconds,
      meanWatts: watts,
      peakWatts: watts + 5,
      readings: 20,
      tokensPerJoule: tokens / (watts * seconds),
      tokensPerJouleAboveIdle: null,
    });
    const measured: LoadLevelRecord['energy'] = {
      gpu: { idleWatts: 30, level: phase(150, 2, 128) },
      cpu: { idleWatts: 10, level: phase(40, 2, 128) },
      outputTokensPerJoule: 128 / (190 * 2),
    };
    const energies = [measured, null, undefined];
    let n = 0;
    const events = runEvents().map((e) => {
      if (e.type !== 'load.level.recorded') return parseEvent(JSON.stringify(e));
      const energy = energies[n++];
      const { energy: _none, ...plain } = e.level;
      return parseEvent(JSON.stringify({ ...e, level: energy === undefined ? plain : { ...plain, energy } }));
    });
    const store = RunStore.open(':memory:');
    try {
      store.writeEvents(events);
      expect(
        store.db
          .prepare('SELECT energy_json IS NULL, output_tokens_per_joule FROM load_levels ORDER BY seq')
          .raw()
          .all(),
      ).toEqual([
        [0, measured!.outputTokensPerJoule],
        [0, null],
        [1, null],
      ]);
      const levels = buildRunDataset(store, 'r1').loadLevels!.map((l) => l.level);
      expect(levels[0]!.energy).toEqual(measured);
      expect(levels[1]!.energy).toBeNull();
      expect(levels[2]).not.toHaveProperty('energy');

      const md = renderReport([buildRunDataset(store, 'r1')], 'md');
      expect(md).toMatch(/\| SLO attainment \| output tok\/J \| W \| SLOs \|/);
      // 128 tokens / 380 J = 0.34 tok/J at 150 + 40 W; the levels without energy show a dash.
      expect(md).toMatch(/\| a1 small cpu serve, t=1 \| 1 \|.*\| 50% \| 0\.34 \| 190\.0 \|/);
      expect(md).toMatch(/\| a1 small cpu serve, t=1 \| 2 \|.*\| 50% \| — \| — \|/);
    } finally {
      store.close();
    }
    // Without any measured level the table keeps its columns.
    const plain = RunStore.open(':memory:');
    try {
      plain.writeEvents(runEvents().map((e) => parseEvent(JSON.stringify(e))));
      expect(renderReport([buildRunDataset(plain, 'r1')], 'md')).not.toMatch(/\| output tok\/J \|/);
    } finally {
      plain.close();
    }
  });

  test('store - a malformed level is refused with the field named', () => {
    const bad = runEvents().find((e) => e.type === 'load.level.recorded') as LoadLevelRecordedEvent;
    const broken = { ...bad, level: { ...bad.level, concurrency: 0 } };
    expect(() => parseEvent(JSON.stringify(broken))).toThrow(
      /invalid 'load.level.recorded' event at level.concurrency/,
    );
  });
});
