import type { sendUnaryData, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { AgentRpc } from '@rigbench/shared';
import type { BearerTokenVerifier } from '../security/index.js';
import type { ModelCatalog } from '../service/model-catalog.js';
import type { RunSupervisor } from '../service/run-supervisor.js';
import { statusError, toStatusError, type StatusError } from './status-mapping.js';
import type { Logger } from '@rigbench/shared';

/** What the AgentService handlers need. */
export interface AgentServiceDeps {
  supervisor: RunSupervisor;
  catalog: ModelCatalog;
  /** Builds the GetInfo reply. */
  info: () => Promise<AgentRpc.AgentInfo>;
  /** Checks bearer tokens; `null` when the agent requires none (loopback, mTLS, or --insecure). */
  verifier: BearerTokenVerifier | null;
  logger: Logger;
}

type Unary<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

/** Aborts when the client cancels or the call's deadline passes. */
function callSignal(call: { on(event: 'cancelled', listener: () => void): unknown }): AbortSignal {
  const controller = new AbortController();
  call.on('cancelled', () => controller.abort(new Error('call cancelled or deadline exceeded')));
  return controller.signal;
}

/**
 * The AgentService handlers: authentication first (UNAUTHENTICATED / PERMISSION_DENIED), then the supervisor or
 * catalog, with domain errors mapped to status codes by `toStatusError`.
 */
export function createAgentServiceHandlers(deps: AgentServiceDeps): AgentRpc.AgentServiceHandlers {
  const { supervisor, catalog, verifier, logger } = deps;

  const refuse = (
    method: string,
    metadata: ServerUnaryCall<unknown, unknown>['metadata'],
  ): StatusError | null => {
    if (verifier === null) return null;
    const verdict = verifier.verify(metadata);
    if (verdict.ok) return null;
    logger.warn('call refused', { method, code: status[verdict.code], reason: verdict.details });
    return statusError(verdict.code, verdict.details);
  };

  const unary =
    <Req, Res>(
      method: string,
      handle: (request: Req, signal: AbortSignal) => Promise<Res>,
    ): Unary<Req, Res> =>
    (call, callback) => {
      const refused = refuse(method, call.metadata);
      if (refused) {
        callback(refused);
        return;
      }
      handle(call.request, callSignal(call)).then(
        (reply) => callback(null, reply),
        (error: unknown) => {
          const mapped = toStatusError(error);
          logger.info('call refused', { method, code: status[mapped.code], details: mapped.details });
          callback(mapped);
        },
      );
    };

  return {
    GetInfo: unary<AgentRpc.GetInfoRequest__Output, AgentRpc.AgentInfo>('GetInfo', () => deps.info()),

    ListModels: unary<AgentRpc.ListModelsRequest__Output, AgentRpc.ListModelsResponse>(
      'ListModels',
      async () => {
        const files = await catalog.list();
        return {
          models_dir: catalog.modelsDir,
          models: files.map((file) => ({
            path: file.path,
            size_bytes: file.sizeBytes,
            modified_time: file.modifiedTime,
            ...('gguf' in file.result
              ? {
                  gguf: {
                    architecture: file.result.gguf.architecture,
                    quantization: file.result.gguf.quantization,
                    name: file.result.gguf.name,
                    ...(file.result.gguf.parameterCount === null
                      ? {}
                      : { parameter_count: file.result.gguf.parameterCount }),
                    ...(file.result.gguf.trainedContextSize === null
                      ? {}
                      : { trained_context_size: file.result.gguf.trainedContextSize }),
                  },
                }
              : { error: file.result.error }),
          })),
        };
      },
    ),

    StartRun: unary<AgentRpc.StartRunRequest__Output, AgentRpc.StartRunResponse>(
      'StartRun',
      async (request, signal) => {
        const accepted = await supervisor.start({
          runId: request.run_id,
          planJson: request.plan_json,
          ...(request.label ? { label: request.label } : {}),
          signal,
        });
        return { run_id: accepted.runId, case_count: accepted.caseCount, plan_hash: accepted.planHash };
      },
    ),

    CancelRun: unary<AgentRpc.CancelRunRequest__Output, AgentRpc.CancelRunResponse>(
      'CancelRun',
      async (request) => {
        const state = supervisor.cancel(request.run_id, request.reason || 'cancelled by request');
        logger.info('run cancel requested', { runId: request.run_id, state });
        return { run_id: request.run_id, state };
      },
    ),

    WatchRun: (call: ServerWritableStream<AgentRpc.WatchRunRequest__Output, AgentRpc.RunUpdate>) => {
      const refused = refuse('WatchRun', call.metadata);
      if (refused) {
        call.emit('error', refused);
        return;
      }
      const signal = callSignal(call);
      void (async () => {
        try {
          const events = supervisor.watch(call.request.run_id, call.request.from_seq, signal);
          for await (const event of events) {
            const ok = call.write({
              run_id: event.runId,
              seq: event.seq,
              type: event.type,
              event_json: JSON.stringify(event),
            });
            // Respect flow control: a slow watcher must not make the agent buffer a whole run.
            if (!ok && !signal.aborted) {
              await new Promise<void>((resolve) => {
                const done = (): void => {
                  call.off('drain', done);
                  signal.removeEventListener('abort', done);
                  resolve();
                };
                call.on('drain', done);
                signal.addEventListener('abort', done, { once: true });
              });
            }
          }
          if (!signal.aborted) call.end();
        } catch (error) {
          if (!signal.aborted) call.emit('error', toStatusError(error));
        }
      })();
    },
  };
}
