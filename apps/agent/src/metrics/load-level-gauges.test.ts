import { describe, expect, test } from '@jest/globals';
import { Registry } from 'prom-client';
import { flatLatency as latency, loadLevelRecord as level } from '../../../../test/support/load-level.js';
import { LoadLevelGauges } from './load-level-gauges.js';

const labels = { node: 'box', model: 'tiny', backend: 'cpu', devices: 'none', threads: '1', prompt: 'serve' };

/** The value of `name` on the series whose labels include every pair of `match`. */
async function value(
  registry: Registry,
  name: string,
  match: Record<string, string>,
): Promise<number | null> {
  const metric = await registry.getSingleMetric(name)!.get();
  const hit = metric.values.find((v) =>
    Object.entries(match).every(([k, want]) => String(v.labels[k]) === want),
  );
  return hit ? hit.value : null;
}

describe('load level gauges', () => {
  test('one series per concurrency level, with the level figures as recorded (latencies in seconds)', async () => {
    const registry = new Registry();
    const gauges = new LoadLevelGauges(registry);
    gauges.observe(labels, {
      ...level(1, { output_throughput: 16, goodput: 1.5, sloAttainment: 0.75 }),
      energy: { gpu: null, cpu: null, outputTokensPerJoule: 0.4 },
    });
    gauges.observe(labels, level(2, { output_throughput: 27.5, ttft: latency(900), itl: latency(80) }));

    const c1 = { ...labels, concurrency: '1' };
    const c2 = { ...labels, concurrency: '2' };
    expect(await value(registry, 'rigbench_load_output_tokens_per_second', c1)).toBe(16);
    expect(await value(registry, 'rigbench_load_output_tokens_per_second', c2)).toBe(27.5);
    expect(await value(registry, 'rigbench_load_requests_per_second', c1)).toBe(2);
    expect(await value(registry, 'rigbench_load_ttft_p90_seconds', c1)).toBeCloseTo(0.25, 12);
    expect(await value(registry, 'rigbench_load_ttft_p90_seconds', c2)).toBeCloseTo(0.9, 12);
    expect(await value(registry, 'rigbench_load_itl_p90_seconds', c2)).toBeCloseTo(0.08, 12);
    expect(await value(registry, 'rigbench_load_e2el_p90_seconds', c2)).toBeCloseTo(0.6, 12);
    expect(await value(registry, 'rigbench_load_completed_requests', c2)).toBe(4);
    // Goodput and SLO attainment exist only where the test set SLOs.
    expect(await value(registry, 'rigbench_load_goodput_requests_per_second', c1)).toBe(1.5);
    expect(await value(registry, 'rigbench_load_slo_attainment_ratio', c1)).toBe(0.75);
    expect(await value(registry, 'rigbench_load_goodput_requests_per_second', c2)).toBeNull();
    expect(await value(registry, 'rigbench_load_slo_attainment_ratio', c2)).toBeNull();
    // Tokens per joule only where a power source measured the level.
    expect(await value(registry, 'rigbench_load_output_tokens_per_joule', c1)).toBe(0.4);
    expect(await value(registry, 'rigbench_load_output_tokens_per_joule', c2)).toBeNull();
  });

  test('a later level at the same concurrency replaces the figures; a missing latency leaves the last one', async () => {
    const registry = new Registry();
    const gauges = new LoadLevelGauges(registry);
    const c1 = { ...labels, concurrency: '1' };
    gauges.observe(labels, level(1, { output_throughput: 16 }));
    gauges.observe(labels, level(1, { output_throughput: 12, ttft: latency(null) }));
    expect(await value(registry, 'rigbench_load_output_tokens_per_second', c1)).toBe(12);
    expect(await value(registry, 'rigbench_load_ttft_p90_seconds', c1)).toBeCloseTo(0.25, 12);
    const series = (await registry.getSingleMetric('rigbench_load_output_tokens_per_second')!.get()).values;
    expect(series).toHaveLength(1);
  });
});
