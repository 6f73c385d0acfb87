import { describe, expect, test } from '@jest/globals';
import { SeededRandom, seededDraws } from './seeded-random.js';

describe('SeededRandom (mulberry32)', () => {
  test('nextU32 - matches an independent implementation of mulberry32 (Python, integers mod 2^32)', () => {
    const reference: Record<number, number[]> = {
      0: [1144304738, 1416247, 958946056, 627933444, 2007157716],
      1: [2693262067, 11749833, 2265367787, 4213581821, 4159151403],
      42: [2581720956, 1925393290, 3661312704, 2876485805, 750819978],
      4294967295: [3850105811, 813802916, 3073704848, 4054706436, 3630262831],
    };
    for (const [seed, expected] of Object.entries(reference)) {
      const random = new SeededRandom(Number(seed));
      expect(expected.map(() => random.nextU32())).toEqual(expected);
    }
  });

  test('seeds wrap modulo 2^32; the same seed gives the same stream, another seed another one', () => {
    const draw = (seed: number): number[] => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 16 }, () => random.next());
    };
    expect(draw(-1)).toEqual(draw(4294967295));
    expect(draw(2 ** 32 + 5)).toEqual(draw(5));
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  test('next is nextU32 / 2^32, nextInt(n) stays in [0, n), seededDraws is next as a function', () => {
    const a = new SeededRandom(9);
    const b = new SeededRandom(9);
    const draws = seededDraws(9);
    for (let i = 0; i < 1000; i++) {
      const u = a.nextU32();
      const x = b.next();
      expect(x).toBe(u / 4294967296);
      expect(draws()).toBe(x);
    }
    const c = new SeededRandom(3);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) {
      const k = c.nextInt(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
      counts[k]! += 1;
    }
    // Each bucket expects 10 000; 5 standard deviations (≈ 463) is far outside chance.
    for (const n of counts) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });

  test('fillUniform - is the stream of nextU32 (top 24 bits) scaled to [-scale, scale), and advances it', () => {
    const fast = new SeededRandom(11);
    const slow = new SeededRandom(11);
    const values = new Float32Array(5000);
    fast.fillUniform(values, 0.25);
    const k = 0.5 / 0x1000000;
    for (const v of values) expect(v).toBe(Math.fround((slow.nextU32() >>> 8) * k - 0.25));
    // The generator goes on where the fill stopped.
    expect(fast.nextU32()).toBe(slow.nextU32());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-0.25);
    expect(Math.max(...values)).toBeLessThan(0.25);
    expect(Math.abs(values.reduce((s, v) => s + v, 0) / values.length)).toBeLessThan(0.01);
  });
});
