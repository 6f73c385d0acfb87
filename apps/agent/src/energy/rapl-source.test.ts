import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { discoverRaplZones, POWERCAP_ROOT, RaplSource } from './rapl-source.js';

/** Writes a stand-in powercap tree: two packages (with a core sub-zone that must not be summed) and a psys zone. */
function standInTree(root: string, maxRangeUj: number): (zone: number, uj: number) => void {
  const write = (dir: string, files: Record<string, string>): void => {
    mkdirSync(join(root, dir), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(root, dir, name), `${text}\n`);
  };
  for (const zone of [0, 1]) {
    write(`intel-rapl:${zone}`, {
      name: `package-${zone}`,
      energy_uj: '0',
      max_energy_range_uj: String(maxRangeUj),
    });
    write(`intel-rapl:${zone}:0`, { name: 'core', energy_uj: '0', max_energy_range_uj: String(maxRangeUj) });
  }
  write('intel-rapl-mmio:0', { name: 'package-0', energy_uj: '0', max_energy_range_uj: String(maxRangeUj) });
  return (zone, uj) => writeFileSync(join(root, `intel-rapl:${zone}`, 'energy_uj'), `${Math.round(uj)}\n`);
}

describe('RAPL source', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rigbench-powercap-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('rapl (stand-in powercap tree) - finds the package zones only, sums them, and handles wraparound', () => {
    const maxRange = 10_000_000; // 10 J: wraps quickly
    const setEnergy = standInTree(root, maxRange);
    let now = 1_000_000;
    const started = RaplSource.start({ root, intervalMs: 100, now: () => now });
    if (!('source' in started)) throw new Error(started.unavailable);
    const source = started.source;
    try {
      expect(source.zones.map((z) => `${z.id}:${z.name}`)).toEqual([
        'intel-rapl:0:package-0',
        'intel-rapl:1:package-1',
      ]);
      expect(source.description).toBe(
        'powercap intel-rapl:0 (package-0), intel-rapl:1 (package-1) every 100 ms',
      );
      // 100 ms: package 0 uses 3 J (30 W), package 1 uses 1 J (10 W).
      now += 100;
      setEnergy(0, 3_000_000);
      setEnergy(1, 1_000_000);
      source.poll();
      // Next 200 ms: package 0 wraps (3 J → 10 J range → 1 J: 8 J used, 40 W), package 1 uses 2 J (10 W).
      now += 200;
      setEnergy(0, 1_000_000);
      setEnergy(1, 3_000_000);
      source.poll();
      const intervals = source.intervals(0);
      expect(intervals).toHaveLength(2);
      expect(intervals[0]).toMatchObject({ fromMs: 1_000_000, toMs: 1_000_100 });
      expect(intervals[0]!.watts).toBeCloseTo(40, 9);
      expect(intervals[1]).toMatchObject({ fromMs: 1_000_100, toMs: 1_000_300 });
      expect(intervals[1]!.watts).toBeCloseTo(50, 9);
      expect(source.latestMs()).toBe(1_000_300);
      expect(source.failure()).toBeNull();
    } finally {
      void source.stop();
    }
  });

  test('rapl (stand-in powercap tree) - a counter that vanishes stops the source with the reason', () => {
    standInTree(root, 1e9);
    const started = RaplSource.start({ root, intervalMs: 100 });
    if (!('source' in started)) throw new Error(started.unavailable);
    rmSync(join(root, 'intel-rapl:1'), { recursive: true });
    started.source.poll();
    expect(started.source.failure()).toMatch(/reading RAPL counters failed: .*intel-rapl:1\/energy_uj/);
    void started.source.stop();
  });

  test('rapl (stand-in powercap tree) - no zone, or a counter that is not a number, is unavailable with the reason', () => {
    expect(discoverRaplZones(join(root, 'missing'))).toEqual({
      unavailable: expect.stringMatching(/missing does not exist \(no powercap driver/),
    });
    expect(discoverRaplZones(root)).toEqual({
      unavailable: `${root} has no intel-rapl:N zone (no RAPL on this CPU or kernel)`,
    });
    mkdirSync(join(root, 'intel-rapl:0'));
    writeFileSync(join(root, 'intel-rapl:0', 'energy_uj'), 'garbage\n');
    expect(discoverRaplZones(root)).toEqual({
      unavailable: expect.stringMatching(/energy_uj holds 'garbage', not a number/),
    });
  });

  test("rapl - a real read of this machine's /sys/class/powercap: package zones with counters, or the reason there are none", () => {
    const found = discoverRaplZones();
    if (existsSync(POWERCAP_ROOT) && 'zones' in found) {
      expect(found.zones.length).toBeGreaterThan(0);
      for (const zone of found.zones) {
        expect(zone.id).toMatch(/^intel-rapl:\d+$/);
        expect(zone.maxEnergyRangeUj).toBeGreaterThan(0);
      }
      const started = RaplSource.start({ intervalMs: 50 });
      expect('source' in started).toBe(true);
      if ('source' in started) void started.source.stop();
    } else {
      expect('unavailable' in found && found.unavailable).toMatch(/powercap|intel-rapl|energy_uj/);
    }
  });
});
