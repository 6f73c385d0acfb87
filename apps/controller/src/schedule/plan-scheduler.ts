/**
 * Runs plans on the `schedule:` they declare, inside the long-running `rigbench collect`: one timer per
 * schedule entry, the next fire time computed by croner (a maintained cron library; 5-field patterns, the
 * controller's local time, day-of-month OR day-of-week as in Vixie cron). The clock is injected so the policy is
 * tested with a fake one. A fire whose previous dispatch of the same entry is still starting is skipped and
 * logged, never queued: a slow morning must not pile up rounds.
 */
import { Cron } from 'croner';
import type { BenchPlan, PlanSchedule } from '@rigbench/shared';
import type { Logger } from '@rigbench/shared';

/** One schedule entry of one plan file. */
export interface ScheduledPlan {
  /** The plan file, as given (for logs). */
  file: string;
  plan: BenchPlan;
  entry: PlanSchedule;
}

/** Time and timers; the real one is {@link systemClock}. */
export interface SchedulerClock {
  now(): Date;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: SchedulerClock = {
  now: () => new Date(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** setTimeout's largest delay; longer waits re-arm on the way. */
const MAX_TIMER_MS = 2_147_483_647;

export interface PlanSchedulerOptions {
  plans: readonly ScheduledPlan[];
  /** Starts one scheduled round (e.g. `startPlanRun`); `firedAt` is the scheduled time. */
  dispatch(scheduled: ScheduledPlan, firedAt: Date): Promise<void>;
  logger: Logger;
  clock?: SchedulerClock;
}

interface Armed {
  scheduled: ScheduledPlan;
  cron: Cron;
  next: Date | null;
  timer: unknown;
  busy: boolean;
}

/** The schedules of every plan, armed between {@link start} and {@link stop}. */
export class PlanScheduler {
  readonly #clock: SchedulerClock;
  readonly #armed: Armed[];
  #state: 'idle' | 'running' | 'stopped' = 'idle';

  constructor(private readonly options: PlanSchedulerOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#armed = options.plans.map((scheduled) => ({
      scheduled,
      cron: new Cron(scheduled.entry.cron, { paused: true, mode: '5-part' }),
      next: null,
      timer: undefined,
      busy: false,
    }));
  }

  /** Every entry with its next fire time (null once stopped or when the pattern never fires again). */
  upcoming(): { file: string; plan: string; cron: string; label: string | null; next: Date | null }[] {
    return this.#armed.map((a) => ({
      file: a.scheduled.file,
      plan: a.scheduled.plan.name,
      cron: a.scheduled.entry.cron,
      label: a.scheduled.entry.label ?? null,
      next: a.next,
    }));
  }

  start(): void {
    if (this.#state !== 'idle') throw new Error(`scheduler cannot start: it is ${this.#state}`);
    this.#state = 'running';
    for (const armed of this.#armed) this.#arm(armed, this.#clock.now());
  }

  stop(): void {
    this.#state = 'stopped';
    for (const armed of this.#armed) {
      this.#clock.clearTimer(armed.timer);
      armed.next = null;
    }
  }

  #arm(armed: Armed, from: Date): void {
    if (this.#state !== 'running') return;
    armed.next = armed.cron.nextRun(from);
    if (armed.next === null) return;
    this.#wait(armed, armed.next);
  }

  #wait(armed: Armed, at: Date): void {
    const ms = at.getTime() - this.#clock.now().getTime();
    armed.timer = this.#clock.setTimer(
      () => (ms > MAX_TIMER_MS ? this.#wait(armed, at) : this.#fire(armed, at)),
      Math.max(0, Math.min(ms, MAX_TIMER_MS)),
    );
  }

  #fire(armed: Armed, at: Date): void {
    if (this.#state !== 'running') return;
    const { scheduled } = armed;
    const details = { plan: scheduled.plan.name, file: scheduled.file, cron: scheduled.entry.cron };
    if (armed.busy) {
      this.options.logger.warn('scheduled round skipped: the previous one is still starting', details);
    } else {
      armed.busy = true;
      this.options.logger.info('scheduled round', { ...details, label: scheduled.entry.label ?? null });
      this.options
        .dispatch(scheduled, at)
        .catch((error: unknown) =>
          this.options.logger.error('scheduled round not started', {
            ...details,
            error: (error as Error).message,
          }),
        )
        .finally(() => (armed.busy = false));
    }
    this.#arm(armed, at);
  }
}
