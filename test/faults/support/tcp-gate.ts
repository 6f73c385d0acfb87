/**
 * A TCP relay between one client and a server that a test can close and open again: it cuts a single process off
 * NATS (e.g. an agent) while everyone else keeps their connection.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

interface GateState {
  blocked: boolean;
  sockets: Set<Socket>;
}

export class TcpGate {
  private constructor(
    private readonly server: Server,
    private readonly state: GateState,
    /** Port the gate listens on, 127.0.0.1. */
    readonly port: number,
  ) {}

  /** Listens on a free 127.0.0.1 port and relays every connection to `targetPort`. */
  static async open(targetPort: number): Promise<TcpGate> {
    const state: GateState = { blocked: false, sockets: new Set() };
    const server = createServer((client) => {
      if (state.blocked) {
        client.destroy();
        return;
      }
      const upstream = connect({ host: '127.0.0.1', port: targetPort });
      for (const s of [client, upstream]) {
        state.sockets.add(s);
        s.on('close', () => state.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('tcp-gate: no port');
    return new TcpGate(server, state, address.port);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Drops every relayed connection and refuses new ones until {@link pass}. */
  block(): void {
    this.state.blocked = true;
    for (const s of this.state.sockets) s.destroy();
  }

  pass(): void {
    this.state.blocked = false;
  }

  async dispose(): Promise<void> {
    this.block();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
