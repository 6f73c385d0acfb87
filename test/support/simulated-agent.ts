import { EventEmitter } from 'node:events';
import { Server, ServerCredentials, status, type ServerWritableStream } from '@grpc/grpc-js';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ensureEventStream } from '../../apps/controller/src/collector/event-stream.js';
import {
  canonicalPlanHash,
  eventMessageId,
  eventSubject,
  expandPlan,
  heartbeatSubject,
  loadAgentProto,
  validatePlan,
  type AgentHeartbeat,
  type AgentRpc,
  type CaseOutcome,
  type RigbenchEvent,
} from '@rigbench/shared';
import { syntheticRunEvents } from './synthetic-run.js';

/** Options of {@link SimulatedAgent}. */
export interface SimulatedAgentOptions {
  agentId: string;
  labels?: Record<string, string>;
  nc: NatsConnection;
  /** Bearer token the agent requires; none when absent. */
  token?: string;
  heartbeatIntervalSeconds?: number;
  /** Pause between cases, in milliseconds, so progress can be watched (default 10). */
  caseDelayMs?: number;
  /** Decode rate its samples report, tokens per second (default 20). */
  decodeTokensPerSecond?: number;
  /** Indexes of the cases of each run that fail (outcome `failed`, no samples); default none. */
  failedCaseIndexes?: readonly number[];
}

interface SimRun {
  events: RigbenchEvent[];
  finished: boolean;
  cancelled: boolean;
  emitter: EventEmitter;
}

/**
 * A stand-in for `rigbench-agent` that speaks the real contracts (gRPC AgentService, JetStream events,
 * heartbeats) but measures nothing: its samples are synthetic. For controller tests and benchmarks, where a
 * real inference engine would only add time; the agent's own tests cover the real thing. Test-only: no shipped
 * command uses it (`rigbench demo` starts real `rigbench-agent` processes), so it lives in test/support, not in src.
 */
export class SimulatedAgent {
  private server: Server | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly runs = new Map<string, SimRun>();
  private activeRun: string | null = null;
  private killed = false;
  address = '';

  constructor(private readonly options: SimulatedAgentOptions) {}

  get agentId(): string {
    return this.options.agentId;
  }

  /** Binds 127.0.0.1:0, starts heartbeating; resolves with the address. */
  async start(): Promise<string> {
    await ensureEventStream(await jetstreamManager(this.options.nc));
    const proto = loadAgentProto();
    const server = new Server();
    server.addService(proto.rigbench.v1.AgentService.service, this.handlers());
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    this.server = server;
    this.address = `127.0.0.1:${port}`;
    this.heartbeat();
    this.heartbeatTimer = setInterval(
      () => this.heartbeat(),
      (this.options.heartbeatIntervalSeconds ?? 1) * 1000,
    );
    return this.address;
  }

  /** Stops heartbeating only (as when the agent's NATS connection is down) while gRPC keeps answering. */
  pauseHeartbeats(): void {
    clearInterval(this.heartbeatTimer);
  }

  /** Stops heartbeating and serving (a kill, as far as the controller can tell). */
  async stop(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    this.killed = true;
    const server = this.server;
    this.server = undefined;
    if (server) server.forceShutdown();
  }

  private heartbeat(): void {
    const hb: AgentHeartbeat = {
      v: 1,
      type: 'agent.heartbeat',
      agentId: this.options.agentId,
      labels: this.options.labels ?? {},
      address: this.address,
      version: '0.0.0-simulated',
      busy: this.activeRun !== null,
      runId: this.activeRun,
      intervalSeconds: this.options.heartbeatIntervalSeconds ?? 1,
      time: new Date().toISOString(),
    };
    this.options.nc.publish(heartbeatSubject(this.options.agentId), JSON.stringify(hb));
  }

  private authorized(metadata: { get(key: string): unknown[] }): { code: status; details: string } | null {
    if (!this.options.token) return null;
    const header = String(metadata.get('authorization')[0] ?? '');
    if (!header.startsWith('Bearer '))
      return { code: status.UNAUTHENTICATED, details: 'missing bearer token' };
    if (header.slice(7) !== this.options.token)
      return { code: status.PERMISSION_DENIED, details: 'wrong token' };
    return null;
  }

  private info(): AgentRpc.AgentInfo {
    return {
      id: this.options.agentId,
      labels: this.options.labels ?? {},
      versions: {
        rigbench: '0.0.0-simulated',
        node_llama_cpp: '3.21.1',
        llama_cpp: 'b0000',
        node: process.version,
      },
      hardware: {
        cpu_model: 'simulated',
        physical_cores: 1,
        logical_cores: 1,
        memory_bytes: 1024 ** 3,
        gpus: [],
        platform: 'linux-x64',
        os: 'linux (simulated)',
        kernel: '0',
        hostname: this.options.agentId,
      },
      backends: ['cpu'],
      busy: this.activeRun !== null,
      current_run_id: this.activeRun ?? '',
      active_run_ids: this.activeRun ? [this.activeRun] : [],
      limits: {},
      address: this.address,
      state: 'running',
    };
  }

  private handlers(): AgentRpc.AgentServiceHandlers {
    return {
      GetInfo: (call, callback) => {
        const denied = this.authorized(call.metadata);
        if (denied) return callback(denied);
        callback(null, this.info());
      },
      ListModels: (call, callback) => {
        const denied = this.authorized(call.metadata);
        if (denied) return callback(denied);
        callback(null, { models_dir: '/simulated', models: [] });
      },
      StartRun: (call, callback) => {
        const denied = this.authorized(call.metadata);
        if (denied) return callback(denied);
        const { run_id: runId, plan_json: planJson, label } = call.request;
        if (this.activeRun)
          return callback({ code: status.RESOURCE_EXHAUSTED, details: `busy with run ${this.activeRun}` });
        if (this.runs.has(runId))
          return callback({ code: status.ALREADY_EXISTS, details: `run ${runId} already ran` });
        let plan;
        try {
          plan = validatePlan(JSON.parse(planJson), 'grpc:StartRun');
        } catch (error) {
          return callback({ code: status.INVALID_ARGUMENT, details: (error as Error).message });
        }
        const planned = expandPlan(plan);
        const caseIds = planned.map((c) => c.caseId);
        const loadCaseIds = planned.filter((c) => c.workload.mode === 'load').map((c) => c.caseId);
        const events = [
          ...syntheticRunEvents({
            runId,
            agentId: this.options.agentId,
            cases: caseIds.length,
            caseIds,
            samplesPerCase: plan.repetitions,
            loadCaseIds,
            plan,
            planName: plan.name,
            ...(this.options.decodeTokensPerSecond
              ? { decodeTokensPerSecond: this.options.decodeTokensPerSecond }
              : {}),
            ...(this.options.failedCaseIndexes ? { failedCaseIndexes: this.options.failedCaseIndexes } : {}),
          }),
        ];
        const first = events[0];
        if (first?.type === 'run.accepted') {
          first.planHash = canonicalPlanHash(plan);
          if (label) first.label = label;
        }
        const run: SimRun = { events: [], finished: false, cancelled: false, emitter: new EventEmitter() };
        this.runs.set(runId, run);
        this.activeRun = runId;
        this.publish(run, events)
          .catch(() => {
            // A stopped simulated agent (or NATS gone) simply stops publishing, like a killed agent.
            run.cancelled = true;
          })
          .finally(() => {
            if (this.activeRun === runId) this.activeRun = null;
          });
        callback(null, { run_id: runId, case_count: caseIds.length, plan_hash: canonicalPlanHash(plan) });
      },
      WatchRun: (call: ServerWritableStream<AgentRpc.WatchRunRequest__Output, AgentRpc.RunUpdate>) => {
        const denied = this.authorized(call.metadata);
        if (denied) return call.destroy(Object.assign(new Error(denied.details), denied));
        const run = this.runs.get(call.request.run_id);
        if (!run)
          return call.destroy(
            Object.assign(new Error('unknown run'), { code: status.NOT_FOUND, details: 'unknown run' }),
          );
        let next = Math.max(1, call.request.from_seq);
        const pump = (): void => {
          while (next <= run.events.length) {
            const event = run.events[next - 1] as RigbenchEvent;
            call.write({
              run_id: event.runId,
              seq: event.seq,
              type: event.type,
              event_json: JSON.stringify(event),
            });
            next += 1;
          }
          if (run.finished) {
            run.emitter.off('event', pump);
            call.end();
          }
        };
        run.emitter.on('event', pump);
        call.on('cancelled', () => run.emitter.off('event', pump));
        pump();
      },
      CancelRun: (call, callback) => {
        const denied = this.authorized(call.metadata);
        if (denied) return callback(denied);
        const run = this.runs.get(call.request.run_id);
        if (!run) return callback({ code: status.NOT_FOUND, details: 'unknown run' });
        run.cancelled = true;
        callback(null, { run_id: call.request.run_id, state: run.finished ? 'finished' : 'cancelling' });
      },
    };
  }

  private async publish(run: SimRun, events: RigbenchEvent[]): Promise<void> {
    const js = jetstream(this.options.nc);
    // What was really sent, so a cancelled run's run.finished accounts for it the way the agent's does.
    const sentSamples: Record<string, number> = {};
    const sentOutcomes: Record<string, CaseOutcome> = {};
    for (const event of events) {
      if (this.killed) return;
      if (run.cancelled && event.type !== 'run.finished') continue;
      if (event.type === 'run.finished' && run.cancelled) {
        event.outcome = 'cancelled';
        event.samplesPerCase = sentSamples;
        event.caseOutcomes = sentOutcomes;
      }
      if (event.type === 'case.started') sentSamples[event.caseId] ??= 0;
      if (event.type === 'sample.recorded') sentSamples[event.caseId] = (sentSamples[event.caseId] ?? 0) + 1;
      if (event.type === 'case.finished') sentOutcomes[event.caseId] = event.outcome;
      if (event.type === 'case.started' && this.options.caseDelayMs !== 0) {
        await new Promise((resolve) => setTimeout(resolve, this.options.caseDelayMs ?? 10));
        if (this.killed) return;
      }
      // Renumber so a cancelled run stays gap-free.
      event.seq = run.events.length + 1;
      if (event.type === 'run.finished') event.lastSeq = event.seq;
      await js.publish(eventSubject(event.agentId, event.runId), JSON.stringify(event), {
        msgID: eventMessageId(event.runId, event.agentId, event.seq),
      });
      run.events.push(event);
      run.emitter.emit('event');
    }
    run.finished = true;
    run.emitter.emit('event');
  }
}
