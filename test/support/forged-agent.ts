/**
 * The two halves of a forged agent, for tests of what the controller does with a heartbeat it cannot verify: a
 * stand-in gRPC agent that only answers GetInfo and records the authorization header of every call, and a
 * publisher of hand-written heartbeats announcing an agent at any address.
 */
import { Server, ServerCredentials, type Metadata } from '@grpc/grpc-js';
import type { NatsConnection } from '@nats-io/transport-node';
import { heartbeatSubject, loadAgentProto, type AgentHeartbeat } from '@rigbench/shared';

/** A running stand-in agent (GetInfo only) on 127.0.0.1. */
export interface AuthRecorder {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** The authorization header of each GetInfo call, in order; null for a call without one. */
  readonly seen: Array<string | null>;
  readonly server: Server;
}

/** Starts a stand-in agent answering GetInfo as `agentId` on a free loopback port; close it with `forceShutdown()`. */
export async function startAuthRecorder(agentId: string): Promise<AuthRecorder> {
  const seen: Array<string | null> = [];
  const server = new Server();
  server.addService(loadAgentProto().rigbench.v1.AgentService.service, {
    GetInfo: (
      call: { metadata: Metadata },
      callback: (error: null, reply: Record<string, unknown>) => void,
    ) => {
      seen.push((call.metadata.get('authorization')[0] as string | undefined) ?? null);
      callback(null, { id: agentId, version: '0.0.0-stand-in' });
    },
  });
  const port = await new Promise<number>((done, fail) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) =>
      error ? fail(error) : done(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, seen, server };
}

/** A heartbeat announcing `agentId` at `address`: idle, `intervalSeconds` apart, stamped now. */
export function forgedHeartbeat(agentId: string, address: string, intervalSeconds = 1): AgentHeartbeat {
  return {
    v: 1,
    type: 'agent.heartbeat',
    agentId,
    labels: {},
    address,
    version: '0.1.0',
    busy: false,
    runId: null,
    intervalSeconds,
    time: new Date().toISOString(),
  };
}

/**
 * Publishes, every 200 ms on `nc`, a heartbeat announcing `agentId` at `address` (not busy, 1 s interval); returns
 * the function that stops it.
 */
export function publishForgedHeartbeats(nc: NatsConnection, agentId: string, address: string): () => void {
  const timer = setInterval(() => {
    nc.publish(heartbeatSubject(agentId), JSON.stringify(forgedHeartbeat(agentId, address)));
  }, 200);
  return () => clearInterval(timer);
}
