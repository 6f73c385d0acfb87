import { describe, expect, test } from '@jest/globals';
import { validatePlan } from '@rigbench/shared';
import type { Logger } from '@rigbench/shared';
import { PlanScheduler, type ScheduledPlan, type SchedulerClock } from './plan-scheduler.js';

/** A clock whose time moves only when the test says so; due timers run in time order. */
class FakeClock implements SchedulerClock {
  #now: number;
  #timers: { at: number; fn: () => void; id: number }[] = [];
  #ids = 0;
  constructor(start: Date) {
    this.#now = start.getTime();
  }
  now(): Date {
    return new Date(this.#now);
  }
  setTimer(fn: () => void, ms: number): unknown {
    const id = ++this.#ids;
    this.#timers.push({ at: this.#now + ms, fn, id });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }
  get pending(): number {
    return this.#timers.length;
  }
  /** Moves time to `until`, running every timer due on the way. */
  async advanceTo(until: Date): Promise<void> {
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at);
      const next = this.#timers[0];
      if (!next || next.at > until.getTime()) break;
      this.#timers.shift();
      this.#now = next.at;
      next.fn();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.#now = until.getTime();
  }
}

const lines: string[] = [];
const logger: Logger = {
  debug: () => undefined,
  info: (m) => void lines.push(`info ${m}`),
  warn: (m) => void lines.push(`warn ${m}`),
  error: (m, d) => void lines.push(`error ${m} ${String(d?.error)}`),
};

function scheduled(schedule: { cron: string; label?: string }[]): ScheduledPlan[] {
  const plan = validatePlan({
    version: 1,
    name: 'seed',
    models: [{ id: 'tiny', source: 'tiny.gguf' }],
    prompts: { chat: [{ id: 'q1', text: '你好' }] },
    schedule,
  });
  return plan.schedule.map((entry) => ({ file: 'seed.yaml', plan, entry }));
}

/** Local time, as cron reads it. */
const local = (y: number, mo: number, d: number, h: number, mi = 0): Date => new Date(y, mo - 1, d, h, mi);

describe('plan scheduler (fake clock)', () => {
  test('fires the morning and night rounds at their local times, each with its label, day after day', async () => {
    const clock = new FakeClock(local(2026, 12, 1, 6, 30));
    const fired: string[] = [];
    const scheduler = new PlanScheduler({
      plans: scheduled([
        { cron: '0 7 * * *', label: 'morning' },
        { cron: '30 22 * * *', label: 'night' },
      ]),
      dispatch: async (s, at) =>
        void fired.push(`${s.entry.label} ${at.getDate()}/${at.getHours()}:${at.getMinutes()}`),
      logger,
      clock,
    });
    scheduler.start();
    expect(scheduler.upcoming().map((u) => u.next?.getTime())).toEqual([
      local(2026, 12, 1, 7).getTime(),
      local(2026, 12, 1, 22, 30).getTime(),
    ]);
    await clock.advanceTo(local(2026, 12, 3, 8));
    expect(fired).toEqual([
      'morning 1/7:0',
      'night 1/22:30',
      'morning 2/7:0',
      'night 2/22:30',
      'morning 3/7:0',
    ]);
    scheduler.stop();
    expect(clock.pending).toBe(0);
    await clock.advanceTo(local(2026, 12, 4, 8));
    expect(fired).toHaveLength(5);
  });

  test('a fire while the previous dispatch of the entry is still starting is skipped and logged, not queued', async () => {
    lines.length = 0;
    const clock = new FakeClock(local(2026, 12, 1, 6, 59));
    let release: () => void = () => undefined;
    let calls = 0;
    const scheduler = new PlanScheduler({
      plans: scheduled([{ cron: '* * * * *' }]),
      dispatch: () => {
        calls++;
        return new Promise<void>((resolve) => (release = resolve));
      },
      logger,
      clock,
    });
    scheduler.start();
    await clock.advanceTo(local(2026, 12, 1, 7, 2));
    expect(calls).toBe(1);
    expect(lines.filter((l) => l.startsWith('warn scheduled round skipped'))).toHaveLength(2);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    await clock.advanceTo(local(2026, 12, 1, 7, 3));
    expect(calls).toBe(2);
    scheduler.stop();
  });

  test('a failed dispatch is logged with its reason and the schedule goes on', async () => {
    lines.length = 0;
    const clock = new FakeClock(local(2026, 12, 1, 6, 0));
    let calls = 0;
    const scheduler = new PlanScheduler({
      plans: scheduled([{ cron: '0 * * * *' }]),
      dispatch: async () => {
        calls++;
        throw new Error('agent rig-a: unreachable');
      },
      logger,
      clock,
    });
    scheduler.start();
    await clock.advanceTo(local(2026, 12, 1, 8, 30));
    expect(calls).toBe(2);
    expect(lines).toContain('error scheduled round not started agent rig-a: unreachable');
    scheduler.stop();
  });

  test('day-of-month and day-of-week together mean either, as in Vixie cron; waits past setTimeout range re-arm', async () => {
    // The 13th, or any Friday: from Tue 1 Dec 2026 the next are Fri 4, Fri 11, Sun 13.
    const clock = new FakeClock(local(2026, 12, 1, 0));
    const fired: number[] = [];
    const newYear: Date[] = [];
    const scheduler = new PlanScheduler({
      plans: scheduled([{ cron: '0 12 13 * 5' }, { cron: '0 0 1 1 *' }]),
      dispatch: async (s, at) =>
        void (s.entry.cron.startsWith('0 12') ? fired.push(at.getDate()) : newYear.push(at)),
      logger,
      clock,
    });
    scheduler.start();
    await clock.advanceTo(local(2026, 12, 14, 0));
    expect(fired).toEqual([4, 11, 13]);
    // New Year is 31 days away: more than setTimeout's 24.8 days, reached through a re-arm.
    expect(scheduler.upcoming()[1]!.next?.getTime()).toBe(local(2027, 1, 1, 0).getTime());
    await clock.advanceTo(local(2027, 1, 1, 1));
    expect(newYear.map((d) => d.getTime())).toEqual([local(2027, 1, 1, 0).getTime()]);
    scheduler.stop();
  });
});
