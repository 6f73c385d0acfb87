/**
 * The run supervisor: StartRun to run.finished for every run of this agent.
 *
 * Over 400 lines: the event loop of a run (#execute) and the stop/cancel paths share each run's state; admission
 * (run-admission.ts), the outcome policy (run-outcome.ts), the event envelope (run-stamper.ts) and closing runs a
 * crash interrupted (interrupted-runs.ts) live in their own modules.
 */
import {
  backendLabel,
  canonicalPlanHash,
  expandPlan,
  type BenchCase,
  type BenchPlan,
  type CaseFinishedEvent,
  type CaseOutcome,
  type CaseStartedEvent,
  type EventPayload,
  type LoadLevelRecordedEvent,
  type Fingerprint,
  type RigbenchEvent,
  type RunOutcome,
  type SampleRecordedEvent,
} from '@rigbench/shared';
import type { AgentLimits } from '../config/index.js';
import { loadEventViolations } from '../load/index.js';
import { ModelNotFoundError, ModelReferenceError, type DownloadProgressListener } from '../security/index.js';
import {
  AgentBusyError,
  AgentShuttingDownError,
  LimitExceededError,
  PlanRejectedError,
  RunExistsError,
  RunModelError,
  RunNotFoundError,
} from './errors.js';
import { checkLimits, parsePlan, RUN_TEXT_LIMITS } from './run-admission.js';
import { closeInterruptedRuns } from './interrupted-runs.js';
import type { RunJournal } from './run-journal.js';
import { RunLog } from './run-log.js';
import { decideOutcome } from './run-outcome.js';
import { createStamper, type Stamper } from './run-stamper.js';
import type { Logger } from '@rigbench/shared';

/** What the engine yields for a run: events without the envelope the supervisor stamps on. */
export type EngineEventPayload =
  | EventPayload<CaseStartedEvent>
  | EventPayload<SampleRecordedEvent>
  | EventPayload<CaseFinishedEvent>
  | EventPayload<LoadLevelRecordedEvent>;

export { checkLimits, RUN_TEXT_LIMITS } from './run-admission.js';

/** The inference engine as the supervisor uses it. */
export interface CaseRunner {
  /**
   * Runs the cases in order; ends early (after a failed `case.finished` for the current case) on abort. Model
   * download progress goes to `observer` while a case waits for its model.
   */
  run(
    cases: readonly BenchCase[],
    signal: AbortSignal,
    observer?: { onDownloadProgress?: DownloadProgressListener },
  ): AsyncIterable<EngineEventPayload>;
}

/** Where events go: the durable outbox in front of JetStream. */
export interface EventSink {
  /** Resolves once the event is durable (on disk); rejects when it cannot be stored. */
  publish(event: RigbenchEvent): Promise<unknown>;
}

/** The metric updates the supervisor makes (a subset of `AgentMetrics`). */
export interface RunMetrics {
  observeSample(labels: MetricLabels, sample: SampleRecordedEvent['sample']): void;
  observeLoadLevel(labels: MetricLabels, level: LoadLevelRecordedEvent['level']): void;
  observeModelLoad(labels: Pick<MetricLabels, 'model' | 'backend'>, seconds: number): void;
  caseFinished(outcome: CaseOutcome, labels: MetricLabels, caseId?: string): void;
  runFinished(outcome: RunOutcome): void;
  setBusy(busy: boolean): void;
}

/** Bounded metric labels of a case. */
export interface MetricLabels {
  model: string;
  backend: string;
  prompt: string;
  mode: BenchCase['workload']['mode'];
  /** GPU indexes, comma-separated, or `none`. */
  devices: string;
  /** The threads setting: `auto` or a number. */
  threads: string;
}

/** Options of {@link RunSupervisor}. */
export interface RunSupervisorOptions {
  agentId: string;
  limits: AgentLimits;
  /** Runs accepted at the same time (default 1). */
  concurrentRuns?: number;
  /** Finished runs kept in memory for WatchRun (default 16). */
  keepFinishedRuns?: number;
  engine: CaseRunner;
  publisher: EventSink;
  metrics?: RunMetrics;
  logger: Logger;
  /**
   * Throws a `ModelReferenceError` when an `hf:` source may not be downloaded (downloads off, repository not
   * allowed, not a .gguf file); checked at StartRun. Without it hf: sources are accepted and resolved per case.
   */
  checkDownload?: (source: string) => void;
  /** Resolves a plan's model source inside the models directory; throws `ModelReferenceError`s. */
  resolveModel: (source: string, signal?: AbortSignal) => Promise<string>;
  /** Wall clock, injectable for tests. */
  now?: () => Date;
  /**
   * Largest event the publisher can send now, in bytes of JSON (the server's `max_payload` less headers). A plan
   * whose `run.accepted` would exceed it is refused at StartRun. Default: no check.
   */
  maxEventBytes?: () => number;
  /** Remembers active runs across a crash; {@link RunSupervisor.closeInterrupted} closes what it left open. */
  journal?: RunJournal;
  /** Called whenever a run becomes active or finishes (e.g. to send a heartbeat at once). */
  onActiveRunsChange?: (activeRunIds: string[]) => void;
}

/** A StartRun request as the supervisor sees it. */
export interface StartRunInput {
  runId: string;
  /** The plan as JSON text. */
  planJson: string;
  label?: string;
  /** Aborted when the caller gave up (cancelled, deadline): the run is then not accepted. */
  signal?: AbortSignal;
}

/** The reply to an accepted run. */
export interface AcceptedRun {
  runId: string;
  caseCount: number;
  planHash: string;
}

export type SupervisorState = 'running' | 'draining' | 'stopped';

/** How a stop treats the case that is running. */
export interface StopOptions {
  /** `finish`: let the current case end, then stop; `cancel`: abort it now. */
  currentCase: 'finish' | 'cancel';
  /** After this many milliseconds every run is aborted regardless. */
  timeoutMs: number;
}

const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

interface ActiveRun {
  runId: string;
  log: RunLog;
  abort: AbortController;
  /** Set by a `finish` stop: end after the current case. */
  stopAfterCase: boolean;
  /** Why the run was aborted, when it was. */
  abortReason: { outcome: RunOutcome; reason: string } | null;
  done: Promise<void>;
}

/**
 * Accepts runs, checks them against the agent's limits and models directory, feeds their cases to the engine and
 * turns what the engine reports into the run's events: `run.accepted` (seq 1) … `run.finished` (last seq),
 * gap-free, each made durable by the publisher before the next and before watchers see it.
 */
export class RunSupervisor {
  readonly #options: RunSupervisorOptions;
  readonly #concurrentRuns: number;
  readonly #keepFinished: number;
  readonly #now: () => Date;
  /** Run ids reserved by a StartRun still validating, so two calls cannot both take the last slot. */
  readonly #starting = new Set<string>();
  /** StartRun calls between reservation and acceptance; `stop()` waits for them. */
  readonly #startsInFlight = new Set<Promise<AcceptedRun>>();
  readonly #active = new Map<string, ActiveRun>();
  /** Finished runs, oldest first (Map keeps insertion order). */
  readonly #finished = new Map<string, RunLog>();
  #state: SupervisorState = 'running';

  constructor(options: RunSupervisorOptions) {
    this.#options = options;
    this.#concurrentRuns = options.concurrentRuns ?? 1;
    this.#keepFinished = options.keepFinishedRuns ?? 16;
    this.#now = options.now ?? (() => new Date());
  }

  get state(): SupervisorState {
    return this.#state;
  }

  /** Ids of the runs executing now, oldest first. */
  activeRunIds(): string[] {
    return [...this.#active.keys()];
  }

  /**
   * Validates and accepts a run; resolves once `run.accepted` is durable, then runs the cases in the background.
   * Throws {@link PlanRejectedError}/{@link LimitExceededError} (bad request), {@link RunModelError},
   * {@link AgentBusyError}, {@link RunExistsError} or {@link AgentShuttingDownError}.
   */
  async start(input: StartRunInput): Promise<AcceptedRun> {
    if (this.#state !== 'running') throw new AgentShuttingDownError();
    if (!RUN_ID_PATTERN.test(input.runId)) {
      throw new PlanRejectedError([
        { path: 'run_id', message: `'${input.runId}' must be 1-128 letters, digits, '-' or '_'` },
      ]);
    }
    if (input.label !== undefined && input.label.length > RUN_TEXT_LIMITS.label) {
      throw new PlanRejectedError([
        { path: 'label', message: `${input.label.length} characters; at most ${RUN_TEXT_LIMITS.label}` },
      ]);
    }
    const plan = parsePlan(input.planJson);
    // Every bound is checked on the plan as written; only then are the cases built.
    checkLimits(plan, this.#options.limits);
    const cases = expandPlan(plan);
    if (this.#active.has(input.runId) || this.#finished.has(input.runId) || this.#starting.has(input.runId)) {
      throw new RunExistsError(input.runId);
    }
    if (this.#active.size + this.#starting.size >= this.#concurrentRuns) {
      throw new AgentBusyError([...this.#active.keys(), ...this.#starting]);
    }
    this.#starting.add(input.runId);
    const starting = (async () => {
      await this.#checkModels(plan);
      if (this.#state !== 'running') throw new AgentShuttingDownError();
      // A caller that gave up (deadline, cancel) never hears "accepted", so the run must not start.
      input.signal?.throwIfAborted();
      return this.#launch(input, plan, cases);
    })();
    this.#startsInFlight.add(starting);
    try {
      return await starting;
    } finally {
      this.#starting.delete(input.runId);
      this.#startsInFlight.delete(starting);
    }
  }

  /** Events of a run from `fromSeq` (1-based), live until `run.finished`. Throws {@link RunNotFoundError}. */
  watch(runId: string, fromSeq: number, signal?: AbortSignal): AsyncGenerator<RigbenchEvent> {
    const log = this.#active.get(runId)?.log ?? this.#finished.get(runId);
    if (!log) throw new RunNotFoundError(runId);
    return log.watch(fromSeq, signal);
  }

  /** Cancels an active run: `cancelling`; a finished one: `finished`. Throws {@link RunNotFoundError}. */
  cancel(runId: string, reason = 'cancelled by request'): 'cancelling' | 'finished' {
    if (reason.length > RUN_TEXT_LIMITS.cancelReason) {
      throw new PlanRejectedError([
        {
          path: 'reason',
          message: `${reason.length} characters; at most ${RUN_TEXT_LIMITS.cancelReason}`,
        },
      ]);
    }
    const run = this.#active.get(runId);
    if (run) {
      this.#abort(run, 'cancelled', reason);
      return 'cancelling';
    }
    if (this.#finished.has(runId)) return 'finished';
    throw new RunNotFoundError(runId);
  }

  /**
   * Stops taking runs and ends the active ones: the current case finishes or is cancelled (`options.currentCase`),
   * later cases are not started, `run.finished` is published. Aborts everything after `timeoutMs`.
   */
  async stop(options: StopOptions): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'draining';
    // A StartRun past its checks may still turn into an active run: let those settle first so none is missed.
    await Promise.allSettled([...this.#startsInFlight]);
    const runs = [...this.#active.values()];
    for (const run of runs) {
      if (options.currentCase === 'cancel') this.#abort(run, 'cancelled', 'agent shutting down');
      else run.stopAfterCase = true;
    }
    const all = Promise.all(runs.map((run) => run.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), options.timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.#options.logger.warn('shutdown grace exceeded; aborting runs', { runIds: this.activeRunIds() });
      for (const run of this.#active.values())
        this.#abort(run, 'cancelled', 'agent shutting down (grace exceeded)');
      await all;
    }
    this.#state = 'stopped';
  }

  /**
   * Closes the runs a previous agent process left open (it crashed or was killed mid-run): a failed
   * `case.finished` for the case it was running and a `run.finished` with outcome `interrupted`, continuing the
   * run's seq. Call once at start, after the publisher is up and before runs are taken. Returns the run ids.
   */
  async closeInterrupted(): Promise<string[]> {
    const { journal, logger, publisher, metrics, agentId } = this.#options;
    if (!journal) return [];
    return closeInterruptedRuns({
      journal,
      publisher,
      logger,
      agentId,
      now: this.#now,
      ...(metrics ? { metrics } : {}),
    });
  }

  #abort(run: ActiveRun, outcome: RunOutcome, reason: string): void {
    if (run.abortReason === null) run.abortReason = { outcome, reason };
    run.abort.abort(new Error(reason));
  }

  async #checkModels(plan: BenchPlan): Promise<void> {
    for (const [index, model] of plan.models.entries()) {
      try {
        // hf: URIs are downloaded when their case runs (resolving them here would hold StartRun for minutes);
        // whether they may be is known now.
        if (model.source.startsWith('hf:')) {
          this.#options.checkDownload?.(model.source);
          continue;
        }
        await this.#options.resolveModel(model.source);
      } catch (error) {
        if (error instanceof ModelReferenceError) {
          throw new RunModelError(
            `models[${index}].source`,
            error instanceof ModelNotFoundError,
            error.message,
            {
              cause: error,
            },
          );
        }
        throw error;
      }
    }
  }

  async #launch(input: StartRunInput, plan: BenchPlan, cases: BenchCase[]): Promise<AcceptedRun> {
    const planHash = canonicalPlanHash(plan);
    const run: ActiveRun = {
      runId: input.runId,
      log: new RunLog(input.runId),
      abort: new AbortController(),
      stopAfterCase: false,
      abortReason: null,
      done: Promise.resolve(),
    };
    const stamp = createStamper(this.#options.agentId, input.runId, this.#now);
    const accepted = stamp({
      type: 'run.accepted',
      planName: plan.name,
      planHash,
      plan,
      caseCount: cases.length,
      // What was planned, so the controller never expands the plan again to know it.
      caseIds: cases.map((c) => c.caseId),
      ...(input.label ? { label: input.label } : {}),
    });
    const maxEventBytes = this.#options.maxEventBytes?.();
    if (maxEventBytes !== undefined) {
      const bytes = Buffer.byteLength(JSON.stringify(accepted));
      if (bytes > maxEventBytes) {
        // run.accepted carries the plan and its case ids: one that cannot travel as an event would jam nothing, but it would
        // leave a run nobody can see. Refused here, before anything is written.
        throw new LimitExceededError([
          {
            path: 'plan_json',
            message:
              `the plan makes a run.accepted event of ${bytes} bytes; events may be at most ${maxEventBytes} ` +
              "bytes (the NATS server's max_payload less headers): shorten description or prompt texts, or plan fewer " +
              'cases (it lists every case id)',
          },
        ]);
      }
      // A load level's event carries every request: bounded by the test's request count.
      const oversized = loadEventViolations(plan, maxEventBytes);
      if (oversized.length > 0) throw new LimitExceededError(oversized);
    }
    const journal = this.#options.journal;
    journal?.open({
      runId: input.runId,
      caseCount: cases.length,
      nextSeq: accepted.seq + 1,
      openCase: null,
      samplesPerCase: {},
      caseOutcomes: {},
    });
    // run.accepted must be durable before the caller hears "accepted".
    try {
      await this.#options.publisher.publish(accepted);
    } catch (error) {
      journal?.close(input.runId);
      throw error;
    }
    run.log.append(accepted);
    this.#active.set(input.runId, run);
    this.#options.metrics?.setBusy(true);
    this.#options.onActiveRunsChange?.(this.activeRunIds());
    this.#options.logger.info('run accepted', {
      runId: input.runId,
      plan: plan.name,
      cases: cases.length,
      planHash,
    });
    run.done = this.#execute(run, cases, stamp).finally(() => {
      this.#active.delete(run.runId);
      this.#finished.set(run.runId, run.log);
      while (this.#finished.size > this.#keepFinished) {
        const oldest = this.#finished.keys().next().value as string;
        this.#finished.delete(oldest);
      }
      this.#options.metrics?.setBusy(this.#active.size > 0);
      this.#options.onActiveRunsChange?.(this.activeRunIds());
    });
    return { runId: input.runId, caseCount: cases.length, planHash };
  }

  async #execute(run: ActiveRun, cases: readonly BenchCase[], stamp: Stamper): Promise<void> {
    const { logger, publisher, metrics, limits } = this.#options;
    const byId = new Map(cases.map((c) => [c.caseId, c]));
    const samplesPerCase: Record<string, number> = {};
    const caseOutcomes: Record<string, CaseOutcome> = {};
    let openCase: string | null = null;
    let failure: string | null = null;
    let publishBroken = false;

    const journal = this.#options.journal;
    const remember = (nextSeq: number): void =>
      journal?.update({
        runId: run.runId,
        caseCount: cases.length,
        nextSeq,
        openCase,
        samplesPerCase,
        caseOutcomes,
      });
    const emit = async (event: RigbenchEvent): Promise<void> => {
      // Before the event is stored: after a crash the journal is never behind the outbox.
      remember(event.seq + 1);
      try {
        await publisher.publish(event);
      } catch (error) {
        publishBroken = true;
        throw error;
      } finally {
        // Watchers see the run's history even when the outbox refused an event; the log line says so.
        run.log.append(event);
      }
    };

    const runTimer =
      limits.runMs === null
        ? undefined
        : setTimeout(
            () =>
              this.#abort(
                run,
                'partial',
                `run time limit of ${limits.runMs! / 1000} s (limits.runSeconds) reached`,
              ),
            limits.runMs,
          );
    const fingerprints = new Map<string, Fingerprint>();
    try {
      // Download progress arrives while the engine waits for a model, between the events it yields; stamped in
      // arrival order like them. One that cannot be stored stops the run (which stops the download).
      const onDownloadProgress: DownloadProgressListener = (progress) => {
        emit(stamp({ type: 'model.download', ...progress })).catch((error: unknown) => {
          logger.error('download progress event not stored', { runId: run.runId, error: String(error) });
          this.#abort(run, 'failed', `events could not be stored: ${(error as Error).message}`);
        });
      };
      for await (const payload of this.#options.engine.run(cases, run.abort.signal, { onDownloadProgress })) {
        if (payload.type === 'case.started' && run.stopAfterCase) {
          // Stopping between cases: the next case is not started (leaving the loop ends the engine's worker).
          this.#abort(run, 'cancelled', 'agent shutting down (after the current case)');
          break;
        }
        const benchCase = byId.get(payload.caseId);
        // A case on a software device (llvmpipe) is labelled `vulkan (software)`, as in the reports.
        if (payload.type === 'case.started') fingerprints.set(payload.caseId, payload.fingerprint);
        const labels = benchCase ? metricLabels(benchCase, fingerprints.get(payload.caseId)) : null;
        if (payload.type === 'case.started') {
          openCase = payload.caseId;
          samplesPerCase[payload.caseId] ??= 0;
          if (labels && !payload.modelReused) metrics?.observeModelLoad(labels, payload.modelLoadSeconds);
        } else if (payload.type === 'sample.recorded') {
          samplesPerCase[payload.caseId] = (samplesPerCase[payload.caseId] ?? 0) + 1;
          if (labels) metrics?.observeSample(labels, payload.sample);
        } else if (payload.type === 'load.level.recorded') {
          // A load level is its case's result; it is not a sample (samplesPerCase stays as it is).
          if (labels) metrics?.observeLoadLevel(labels, payload.level);
        } else {
          openCase = null;
          samplesPerCase[payload.caseId] ??= 0;
          caseOutcomes[payload.caseId] = payload.outcome;
          if (labels) metrics?.caseFinished(payload.outcome, labels, payload.caseId);
        }
        await emit(
          stamp({
            ...payload,
            ...(payload.type === 'case.finished' ? { samples: samplesPerCase[payload.caseId] ?? 0 } : {}),
          }),
        );
        if (payload.type === 'case.finished' && run.stopAfterCase) {
          this.#abort(run, 'cancelled', 'agent shutting down (after the current case)');
          break;
        }
      }
    } catch (error) {
      failure = publishBroken
        ? `events could not be stored: ${(error as Error).message}`
        : `engine failed: ${(error as Error).message}`;
      logger.error('run failed', { runId: run.runId, error: (error as Error).message });
      run.abort.abort(error);
    } finally {
      clearTimeout(runTimer);
    }

    // A case the engine started but never finished (abort, engine failure) still gets its case.finished.
    if (openCase !== null && !publishBroken) {
      const reason = failure ?? run.abortReason?.reason ?? 'the engine stopped before the case finished';
      caseOutcomes[openCase] = 'failed';
      const benchCase = byId.get(openCase);
      if (benchCase) metrics?.caseFinished('failed', metricLabels(benchCase), openCase);
      try {
        await emit(
          stamp({
            type: 'case.finished',
            caseId: openCase,
            outcome: 'failed',
            reason,
            samples: samplesPerCase[openCase] ?? 0,
          }),
        );
      } catch (error) {
        failure ??= `events could not be stored: ${(error as Error).message}`;
      }
    }

    const { outcome, reason } = decideOutcome(cases.length, caseOutcomes, failure, run.abortReason);
    const finished = stamp({
      type: 'run.finished',
      outcome,
      ...(reason === undefined ? {} : { reason }),
      samplesPerCase,
      caseOutcomes,
      lastSeq: stamp.nextSeq(),
    });
    remember(finished.seq + 1);
    try {
      await publisher.publish(finished);
      journal?.close(run.runId);
    } catch (error) {
      // The journal stays: the next start closes the run as interrupted.
      logger.error('run.finished could not be stored', { runId: run.runId, error: (error as Error).message });
    }
    run.log.append(finished);
    metrics?.runFinished(outcome);
    logger.info('run finished', { runId: run.runId, outcome, reason, lastSeq: finished.seq });
  }
}

function metricLabels(benchCase: BenchCase, fingerprint?: Fingerprint): MetricLabels {
  const workload = benchCase.workload;
  return {
    model: benchCase.model.id,
    backend: backendLabel(benchCase.backend, fingerprint),
    prompt: workload.mode === 'chat' ? workload.prompt.id : workload.test.id,
    mode: workload.mode,
    devices: benchCase.devices.length > 0 ? benchCase.devices.join(',') : 'none',
    threads: String(benchCase.threads),
  };
}
