import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import {
  decodeWatts,
  type CaseOutcome,
  type CaseWorkload,
  type GpuFacts,
  type LoadLevelRecord,
  type RunOutcome,
  type Sample,
} from '@rigbench/shared';
import { METRIC_BUCKETS } from './metric-buckets.js';
import { CaseResultGauges } from './case-result-gauges.js';
import { DeliveryMetrics, type DeadLetterReason } from './delivery-metrics.js';
import { LoadLevelGauges } from './load-level-gauges.js';

export { METRIC_BUCKETS } from './metric-buckets.js';

/** Bounded labels that identify what a sample measured; never a run id. */
export interface SampleLabels {
  /** Model id from the plan (e.g. `llama3-8b-q4`), not a path. */
  model: string;
  backend: string;
  /** Prompt id from the plan. */
  prompt: string;
  /** The case's workload kind (`load` cases record no samples, only case outcomes). */
  mode: CaseWorkload['mode'];
  /** GPU indexes the case ran on, comma-separated (`0`, `0,1`), or `none`: one card and two are two series. */
  devices: string;
  /** The case's threads setting (`auto` or a number). */
  threads: string;
}

/** Versions reported on `rigbench_agent_info`. */
export interface AgentVersions {
  /** rigbench version. */
  version: string;
  /** llama.cpp release tag bundled with node-llama-cpp (e.g. `b6000`). */
  llamaCpp: string;
  nodeLlamaCpp: string;
  /** Node.js version; default `process.versions.node`. */
  nodejs?: string;
}

/** Options for {@link AgentMetrics}. */
export interface AgentMetricsOptions {
  /** Registry every metric is created against; tests pass `new Registry()`. */
  registry: Registry;
  /** Agent id, the `node` label on every rigbench_ series. */
  node: string;
  versions: AgentVersions;
  /** Register prom-client's default `process_*` and `nodejs_*` metrics (default true). */
  defaultMetrics?: boolean;
}

const LINT_FAILING_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

const SAMPLE_LABELS = ['node', 'model', 'backend', 'devices', 'threads', 'prompt', 'mode'] as const;

/**
 * The agent's Prometheus metrics. All rigbench series carry a `node` label with the agent id and otherwise
 * only bounded labels; names and meanings are listed in `README.md` beside this file.
 */
export class AgentMetrics {
  /** The registry the metrics live in. */
  readonly registry: Registry;
  private readonly node: string;
  private readonly ttft: Histogram<(typeof SAMPLE_LABELS)[number]>;
  private readonly promptRate: Histogram<(typeof SAMPLE_LABELS)[number]>;
  private readonly decodeRate: Histogram<(typeof SAMPLE_LABELS)[number]>;
  private readonly promptTokens: Histogram<(typeof SAMPLE_LABELS)[number]>;
  private readonly generatedTokens: Histogram<(typeof SAMPLE_LABELS)[number]>;
  private readonly interTokenLatency: Histogram<(typeof SAMPLE_LABELS)[number]>;
  private readonly sampleDuration: Histogram<(typeof SAMPLE_LABELS)[number]>;
  private readonly decodeTokensPerJoule: Histogram<(typeof SAMPLE_LABELS)[number]>;
  private readonly decodeWatts: Histogram<(typeof SAMPLE_LABELS)[number]>;
  private readonly modelLoad: Histogram<'node' | 'model' | 'backend'>;
  private readonly samples: Counter<(typeof SAMPLE_LABELS)[number] | 'finish_reason'>;
  private readonly cases: Counter<(typeof SAMPLE_LABELS)[number] | 'outcome'>;
  private readonly runs: Counter<'node' | 'outcome'>;
  private readonly busy: Gauge<'node'>;
  private readonly gpuInfo: Gauge<'node' | 'gpu' | 'uuid' | 'name' | 'kind'>;
  private readonly vramUsed: Gauge<'node' | 'gpu'>;
  private readonly vramTotal: Gauge<'node' | 'gpu'>;
  private readonly delivery: DeliveryMetrics;
  private readonly caseResults: CaseResultGauges;
  private readonly loadLevels: LoadLevelGauges;

  constructor(options: AgentMetricsOptions) {
    const { registry, node, versions } = options;
    this.registry = registry;
    this.node = node;
    const registers = [registry];
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: registry });
      // prom-client exports these gauges with a counter suffix, which promtool rejects; the per-type
      // `nodejs_active_handles{type}` etc. carry the same information.
      for (const name of LINT_FAILING_DEFAULT_METRICS) registry.removeSingleMetric(name);
    }

    const sampleHistogram = (name: string, help: string, buckets: readonly number[]) =>
      new Histogram({ name, help, labelNames: SAMPLE_LABELS, buckets: [...buckets], registers });
    this.ttft = sampleHistogram(
      'rigbench_ttft_seconds',
      'Time to first token of a measured repetition, in seconds.',
      METRIC_BUCKETS.ttftSeconds,
    );
    this.promptRate = sampleHistogram(
      'rigbench_prompt_tokens_per_second',
      'Prompt processing rate of a measured repetition, in tokens per second.',
      METRIC_BUCKETS.promptTokensPerSecond,
    );
    this.decodeRate = sampleHistogram(
      'rigbench_decode_tokens_per_second',
      'Decode (generation) rate of a measured repetition, in tokens per second.',
      METRIC_BUCKETS.decodeTokensPerSecond,
    );
    this.promptTokens = sampleHistogram(
      'rigbench_prompt_tokens',
      'Prompt tokens evaluated by a measured repetition.',
      METRIC_BUCKETS.tokens,
    );
    this.generatedTokens = sampleHistogram(
      'rigbench_generated_tokens',
      'Tokens generated by a measured repetition.',
      METRIC_BUCKETS.tokens,
    );
    this.interTokenLatency = sampleHistogram(
      'rigbench_inter_token_latency_seconds',
      'Median inter-token latency of a measured repetition, in seconds.',
      METRIC_BUCKETS.interTokenLatencySeconds,
    );
    this.sampleDuration = sampleHistogram(
      'rigbench_sample_duration_seconds',
      'End-to-end wall time of a measured repetition, in seconds.',
      METRIC_BUCKETS.sampleSeconds,
    );
    this.decodeTokensPerJoule = sampleHistogram(
      'rigbench_decode_tokens_per_joule',
      'Decode tokens per joule of a measured repetition (GPU and CPU package energy, idle included).',
      METRIC_BUCKETS.decodeTokensPerJoule,
    );
    this.decodeWatts = sampleHistogram(
      'rigbench_decode_power_watts',
      'Mean power while decoding a measured repetition, GPU and CPU packages together, in watts.',
      METRIC_BUCKETS.decodeWatts,
    );
    this.modelLoad = new Histogram({
      name: 'rigbench_model_load_seconds',
      help: 'Time to load a model into a worker, in seconds.',
      labelNames: ['node', 'model', 'backend'],
      buckets: [...METRIC_BUCKETS.modelLoadSeconds],
      registers,
    });
    this.samples = new Counter({
      name: 'rigbench_samples_total',
      help: 'Measured repetitions recorded, by finish reason.',
      labelNames: [...SAMPLE_LABELS, 'finish_reason'],
      registers,
    });
    this.cases = new Counter({
      name: 'rigbench_cases_total',
      help: 'Benchmark cases finished, by outcome (ok, failed, skipped).',
      labelNames: [...SAMPLE_LABELS, 'outcome'],
      registers,
    });
    this.runs = new Counter({
      name: 'rigbench_runs_total',
      help: 'Benchmark runs finished, by outcome (completed, partial, cancelled, failed).',
      labelNames: ['node', 'outcome'],
      registers,
    });
    this.busy = new Gauge({
      name: 'rigbench_agent_busy',
      help: '1 while the agent is executing a run, else 0.',
      labelNames: ['node'],
      registers,
    });
    const info = new Gauge({
      name: 'rigbench_agent_info',
      help: 'Constant 1; labels carry the agent versions.',
      labelNames: ['node', 'version', 'llama_cpp', 'node_llama_cpp', 'nodejs'],
      registers,
    });
    info.set(
      {
        node,
        version: versions.version,
        llama_cpp: versions.llamaCpp,
        node_llama_cpp: versions.nodeLlamaCpp,
        nodejs: versions.nodejs ?? process.versions.node,
      },
      1,
    );
    this.gpuInfo = new Gauge({
      name: 'rigbench_gpu_info',
      help:
        'Constant 1 per GPU; join with dcgm-exporter or nvidia_gpu_exporter on uuid. kind is discrete, ' +
        'integrated, virtual or software (llvmpipe: the CPU behind a GPU API).',
      labelNames: ['node', 'gpu', 'uuid', 'name', 'kind'],
      registers,
    });
    this.vramUsed = new Gauge({
      name: 'rigbench_gpu_vram_used_bytes',
      help: 'Device memory in use per GPU, in bytes, as last read by the agent.',
      labelNames: ['node', 'gpu'],
      registers,
    });
    this.vramTotal = new Gauge({
      name: 'rigbench_gpu_vram_total_bytes',
      help: 'Device memory per GPU, in bytes.',
      labelNames: ['node', 'gpu'],
      registers,
    });
    this.delivery = new DeliveryMetrics(registry, node);
    this.caseResults = new CaseResultGauges(registry);
    this.loadLevels = new LoadLevelGauges(registry);
    // A series that exists from the first scrape, so alerts see a 0 rather than nothing.
    this.busy.set({ node }, 0);
  }

  /** Records one measured repetition. */
  observeSample(labels: SampleLabels, sample: Sample): void {
    const l = this.sampleLabels(labels);
    if (sample.ttftSeconds !== null) this.ttft.observe(l, sample.ttftSeconds);
    if (Number.isFinite(sample.promptTokensPerSecond) && sample.promptTokensPerSecond > 0) {
      this.promptRate.observe(l, sample.promptTokensPerSecond);
    }
    if (Number.isFinite(sample.decodeTokensPerSecond) && sample.decodeTokensPerSecond > 0) {
      this.decodeRate.observe(l, sample.decodeTokensPerSecond);
    }
    this.promptTokens.observe(l, sample.promptTokens);
    this.generatedTokens.observe(l, sample.generatedTokens);
    if (sample.interTokenLatency !== null) this.interTokenLatency.observe(l, sample.interTokenLatency.p50);
    this.sampleDuration.observe(l, sample.endToEndSeconds);
    const energy = sample.energy;
    if (energy) {
      if (energy.decodeTokensPerJoule !== null)
        this.decodeTokensPerJoule.observe(l, energy.decodeTokensPerJoule);
      const watts = decodeWatts(energy);
      if (watts !== null) this.decodeWatts.observe(l, watts);
    }
    this.samples.inc({ ...l, finish_reason: sample.finishReason });
    const { mode: _mode, ...caseLabels } = l;
    this.caseResults.observe(sample.caseId, caseLabels, sample);
  }

  /** Records one level of a serving-load case (`rigbench_load_*` gauges, one series per concurrency). */
  observeLoadLevel(labels: SampleLabels, level: LoadLevelRecord): void {
    const { mode: _mode, ...caseLabels } = this.sampleLabels(labels);
    this.loadLevels.observe(caseLabels, level);
  }

  /** Records a model load, in seconds. */
  observeModelLoad(labels: Pick<SampleLabels, 'model' | 'backend'>, seconds: number): void {
    this.modelLoad.observe({ node: this.node, model: labels.model, backend: labels.backend }, seconds);
  }

  /** Counts a finished case; an `ok` one sets the per-case last-result gauges (`rigbench_case_*`). */
  caseFinished(outcome: CaseOutcome, labels: SampleLabels, caseId?: string): void {
    this.cases.inc({ ...this.sampleLabels(labels), outcome });
    if (caseId !== undefined) this.caseResults.finish(caseId, outcome === 'ok');
  }

  /** Counts a finished run. */
  runFinished(outcome: RunOutcome): void {
    this.runs.inc({ node: this.node, outcome });
  }

  /** Marks the agent busy (running a benchmark) or idle. */
  setBusy(busy: boolean): void {
    this.busy.set({ node: this.node }, busy ? 1 : 0);
  }

  /**
   * Outbox state: unacknowledged events, disk use in bytes and disk use as a fraction of the bound (0–1).
   */
  setOutbox(pendingEvents: number, bytes: number, capacityRatio: number): void {
    this.delivery.setOutbox(pendingEvents, bytes, capacityRatio);
  }

  /** Counts events the outbox refused because it was full. */
  outboxRejectedEvents(count = 1): void {
    this.delivery.outboxRejectedEvents(count);
  }

  /** Counts an outbox entry moved to the dead-letter file, by why. */
  outboxDeadLetter(reason: DeadLetterReason): void {
    this.delivery.outboxDeadLetter(reason);
  }

  /** Counts events JetStream acknowledged. */
  eventsAcknowledged(count = 1): void {
    this.delivery.eventsAcknowledged(count);
  }

  /** Counts failed publish attempts. */
  publishFailed(count = 1): void {
    this.delivery.publishFailed(count);
  }

  /** Marks the NATS connection up or down. */
  setNatsConnected(connected: boolean): void {
    this.delivery.setNatsConnected(connected);
  }

  /** Replaces the GPU list: `rigbench_gpu_info` and VRAM gauges per GPU index. */
  setGpus(gpus: readonly GpuFacts[]): void {
    this.gpuInfo.reset();
    this.vramUsed.reset();
    this.vramTotal.reset();
    for (const gpu of gpus) {
      const id = { node: this.node, gpu: String(gpu.index) };
      this.gpuInfo.set({ ...id, uuid: gpu.uuid ?? '', name: gpu.name, kind: gpu.kind ?? '' }, 1);
      if (gpu.vramUsedBytes !== undefined) this.vramUsed.set(id, gpu.vramUsedBytes);
      if (gpu.vramTotalBytes !== undefined) this.vramTotal.set(id, gpu.vramTotalBytes);
    }
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  private sampleLabels(labels: SampleLabels): Record<(typeof SAMPLE_LABELS)[number], string> {
    return {
      node: this.node,
      model: labels.model,
      backend: labels.backend,
      devices: labels.devices,
      threads: labels.threads,
      prompt: labels.prompt,
      mode: labels.mode,
    };
  }
}
