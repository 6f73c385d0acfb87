import { RIGBENCH_VERSION } from '@rigbench/shared';
import { Registry } from 'prom-client';
import type { AgentConfig } from '../config/index.js';
import { InferenceEngine } from '../engine/index.js';
import { bindPublisherMetrics, EventPublisher, HeartbeatPublisher } from '../events/index.js';
import { AgentGrpcServer } from '../grpc/agent-grpc-server.js';
import { createAgentServiceHandlers } from '../grpc/agent-service.js';
import { AgentMetrics, MetricsServer } from '../metrics/index.js';
import {
  BearerTokenVerifier,
  checkDownloadAllowed,
  guardedUriResolver,
  nodeLlamaCppDownloadPlanner,
  resolveModelPath,
  serverCredentials,
  type DownloadPlanner,
  type DownloadProgressListener,
} from '../security/index.js';
import { buildAgentInfo, stackVersions } from './agent-info.js';
import type { AgentLogger } from './agent-logger.js';
import { ModelCatalog } from './model-catalog.js';
import { RunJournal } from './run-journal.js';
import { RunSupervisor } from './run-supervisor.js';

/** Options of {@link AgentRuntime} beyond the config. */
export interface AgentRuntimeOptions {
  logger: AgentLogger;
  /** Looks up `hf:` downloads; node-llama-cpp's downloader by default (a stand-in in tests). */
  downloadPlanner?: DownloadPlanner;
  /** Where the engine caches model sha256 sums (default: the engine's). */
  hashCacheFile?: string;
}

/** Where the agent listens once started. */
export interface AgentEndpoints {
  /** `host:port` of the gRPC server (real port). */
  grpc: string;
  /** `host:port` of `/metrics`, or null when disabled. */
  metrics: string | null;
}

export type AgentRuntimeState = 'idle' | 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

/** A case with no configured limit still ends: a week, in milliseconds. */
const NO_CASE_LIMIT_MS = 7 * 24 * 3600 * 1000;

const withPort = (address: string, port: number): string => address.replace(/:\d+$/, `:${port}`);

/**
 * The whole agent wired together: metrics, the event publisher (outbox → JetStream), heartbeats, the engine, the
 * run supervisor and the gRPC server. `start()` brings them up in dependency order; `stop()` shuts down
 * gracefully (stop taking runs, finish or cancel the current case, flush the outbox, drain NATS, health
 * NOT_SERVING, `tryShutdown`, then force).
 */
export class AgentRuntime {
  readonly config: AgentConfig;
  readonly metrics: AgentMetrics;
  readonly engine: InferenceEngine;
  readonly publisher: EventPublisher;
  readonly supervisor: RunSupervisor;
  readonly grpc: AgentGrpcServer;
  readonly #log: AgentLogger;
  readonly #metricsServer: MetricsServer | null;
  readonly #heartbeat: HeartbeatPublisher;
  #state: AgentRuntimeState = 'idle';
  #advertise: string;
  #stopping: Promise<void> | undefined;
  /** The background GPU probe; awaited on stop so no probe process outlives the agent. */
  #hardwareProbe: Promise<void> = Promise.resolve();

  constructor(config: AgentConfig, options: AgentRuntimeOptions) {
    this.config = config;
    this.#log = options.logger;
    this.#advertise = config.advertise.address;
    const versions = stackVersions();
    this.metrics = new AgentMetrics({
      registry: new Registry(),
      node: config.id,
      versions: {
        version: versions.rigbench,
        llamaCpp: versions.llamaCpp,
        nodeLlamaCpp: versions.nodeLlamaCpp,
        nodejs: process.versions.node,
      },
    });
    this.#metricsServer =
      config.metrics === null
        ? null
        : new MetricsServer({
            registry: this.metrics.registry,
            host: config.metrics.host,
            port: config.metrics.port,
            healthy: () => this.#state === 'running',
          });
    this.publisher = new EventPublisher({
      agentId: config.id,
      nats: config.nats,
      outbox: { dir: config.outbox.dir, maxBytes: config.outbox.maxBytes },
      stream: { replicas: config.nats.streamReplicas },
      logger: this.#log.child({ module: 'events' }),
    });
    bindPublisherMetrics(this.publisher, this.metrics);
    const resolveUri = guardedUriResolver(
      config.downloads,
      options.downloadPlanner ?? nodeLlamaCppDownloadPlanner,
      this.#log.child({ module: 'downloads' }),
    );
    const resolveModel = (
      source: string,
      signal?: AbortSignal,
      onProgress?: DownloadProgressListener,
    ): Promise<string> =>
      resolveModelPath(config.modelsDir, source, {
        resolveUri,
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
    this.engine = new InferenceEngine({
      // The run's signal: CancelRun and shutdown abort a download in progress; progress becomes the run's events.
      resolveModelPath: resolveModel,
      caseTimeoutMs: config.limits.caseTimeoutMs ?? NO_CASE_LIMIT_MS,
      workerUvThreadpoolSize: config.worker.uvThreadpoolSize,
      threadPool: { mode: config.worker.threadPool, nativeDir: config.worker.nativeDir },
      tunedThreads: config.tunedThreads,
      energy: config.energy ?? false,
      logger: this.#log.child({ module: 'engine' }),
      ...(options.hashCacheFile ? { hashCacheFile: options.hashCacheFile } : {}),
    });
    this.supervisor = new RunSupervisor({
      agentId: config.id,
      limits: config.limits,
      concurrentRuns: config.concurrentRuns,
      keepFinishedRuns: config.keepFinishedRuns,
      engine: this.engine,
      publisher: this.publisher,
      metrics: this.metrics,
      logger: this.#log.child({ module: 'runs' }),
      resolveModel,
      checkDownload: (source) => checkDownloadAllowed(source, config.downloads),
      journal: new RunJournal(config.runJournalDir),
      maxEventBytes: () => this.publisher.maxEventBytes(),
      // The fleet view should see busy/idle at once, not a heartbeat interval later.
      onActiveRunsChange: () => this.#heartbeat.beat(),
    });
    const supervisor = this.supervisor;
    this.#heartbeat = new HeartbeatPublisher({
      agentId: config.id,
      source: this.publisher,
      intervalMs: config.heartbeatIntervalMs,
      state: () => {
        const active = supervisor.activeRunIds();
        return {
          labels: { ...config.labels },
          address: this.#advertise,
          version: RIGBENCH_VERSION,
          busy: active.length > 0,
          runId: active[0] ?? null,
        };
      },
      logger: this.#log.child({ module: 'heartbeat' }),
    });
    const catalog = new ModelCatalog(config.modelsDir);
    this.grpc = new AgentGrpcServer({
      handlers: createAgentServiceHandlers({
        supervisor,
        catalog,
        verifier: config.authToken === null ? null : new BearerTokenVerifier(config.authToken),
        logger: this.#log.child({ module: 'grpc' }),
        info: () =>
          buildAgentInfo({
            config,
            engine: this.engine,
            activeRunIds: () => supervisor.activeRunIds(),
            state: () => (this.#state === 'running' ? 'running' : 'draining'),
            address: () => this.#advertise,
          }),
      }),
      credentials: serverCredentials(config.tls),
      maxMessageBytes: config.grpc.maxMessageBytes,
      keepaliveTimeMs: config.grpc.keepaliveTimeMs,
      keepaliveTimeoutMs: config.grpc.keepaliveTimeoutMs,
    });
  }

  get state(): AgentRuntimeState {
    return this.#state;
  }

  /** Starts every part; resolves with the bound addresses. */
  async start(): Promise<AgentEndpoints> {
    if (this.#state !== 'idle') throw new Error(`AgentRuntime.start: already ${this.#state}`);
    this.#state = 'starting';
    try {
      await this.#metricsServer?.start();
      await this.publisher.start();
      // Before gRPC takes runs: what a crash left open is closed first, so its seqs cannot collide.
      await this.supervisor.closeInterrupted();
      const port = await this.grpc.start(this.config.listen.address);
      if (this.config.advertise.port === 0) this.#advertise = withPort(this.#advertise, port);
      this.#heartbeat.start();
      this.#state = 'running';
      const endpoints: AgentEndpoints = {
        grpc: withPort(this.config.listen.address, port),
        metrics:
          this.#metricsServer === null || this.config.metrics === null
            ? null
            : withPort(this.config.metrics.address, this.#metricsServer.port),
      };
      this.#log.info('agent started', {
        ...endpoints,
        advertise: this.#advertise,
        modelsDir: this.config.modelsDir,
      });
      // GPU facts for rigbench_gpu_info are probed in a worker process, so in the background.
      // Backends too, so the first GetInfo does not wait for the probe worker.
      this.#hardwareProbe = Promise.all([this.engine.hardware(), this.engine.availableBackends()]).then(
        ([hardware]) => this.metrics.setGpus(hardware.gpus),
        (error: unknown) => this.#log.warn('hardware probe failed', { error: (error as Error).message }),
      );
      return endpoints;
    } catch (error) {
      this.#state = 'failed';
      await this.#teardown(0);
      throw error;
    }
  }

  /** Graceful shutdown within `config.shutdown.graceMs`, then forced. Safe to call more than once. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    if (this.#state === 'idle' || this.#state === 'stopped') {
      this.#state = 'stopped';
      return;
    }
    const started = Date.now();
    const graceMs = this.config.shutdown.graceMs;
    const left = (): number => Math.max(0, graceMs - (Date.now() - started));
    this.#state = 'draining';
    this.#log.info('shutting down', { currentCase: this.config.shutdown.currentCase, graceMs });
    this.grpc.setServing(false);
    await this.supervisor.stop({ currentCase: this.config.shutdown.currentCase, timeoutMs: left() });
    await this.#teardown(left());
    this.#state = 'stopped';
    this.#log.info('stopped', { seconds: (Date.now() - started) / 1000 });
  }

  async #teardown(budgetMs: number): Promise<void> {
    this.#heartbeat.stop();
    const result = await this.publisher.stop({ timeoutMs: Math.max(budgetMs / 2, 0) });
    if (result.pending > 0) {
      this.#log.warn('outbox not empty at shutdown; events are resent on the next start', {
        pending: result.pending,
      });
    }
    const graceful = await this.grpc.stop(Math.max(budgetMs / 2, 1_000));
    if (!graceful) this.#log.warn('gRPC calls still open after the grace period; forced shutdown');
    await this.#metricsServer?.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#hardwareProbe,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(budgetMs, 5_000));
      }),
    ]);
    clearTimeout(timer);
  }
}
