import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually.js';
import { freePort } from './free-port.js';

/** Options for {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Enable JetStream (`-js -sd <storeDir>`); default true. */
  jetStream?: boolean;
  /** Port to listen on (127.0.0.1); default: a free port found by binding port 0. */
  port?: number;
  /** JetStream store directory; default: a fresh temp dir, removed by `dispose()` or at process exit. */
  storeDir?: string;
  /** Extra command-line arguments, e.g. `['--user', 'u', '--pass', 'p']` or `['-c', confFile]`. */
  args?: string[];
  /** How long to wait for the server to accept connections, in milliseconds (default 15,000). */
  startTimeoutMs?: number;
  /** Binary to run (default `nats-server` from PATH, e.g. Debian's /usr/sbin/nats-server). */
  binary?: string;
}

/** A running (or stopped) nats-server owned by a test. */
export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** JetStream store dir; kept across `stop()` / `kill()` / `restart()`. Empty string without JetStream. */
  readonly storeDir: string;
  /** Process id of the current server process (changes on restart); undefined while stopped. */
  readonly pid: number | undefined;
  /** True while a server process is running. */
  readonly running: boolean;
  /** Last lines the server wrote (stdout and stderr), for failure messages. */
  output(): string;
  /** Stops the server (SIGTERM, SIGKILL after 10 s) and waits for it to exit. Keeps the store dir. */
  stop(): Promise<void>;
  /** Sends `signal` to the server process (default SIGKILL) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and store dir (stops it first when running). */
  restart(): Promise<void>;
  /** Stops the server and removes the store dir when this helper created it. */
  dispose(): Promise<void>;
}

/** The nats-server binary is not installed. */
export class NatsServerMissingError extends Error {
  constructor(binary: string, options?: ErrorOptions) {
    super(
      `nats-server: '${binary}' was not found on PATH; install it with 'apt-get install nats-server' ` +
        '(Debian/Ubuntu) or put a nats-server 2.9+ binary on PATH',
      options,
    );
    this.name = 'NatsServerMissingError';
  }
}

/** The nats-server process exited or never accepted connections. */
export class NatsServerStartError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NatsServerStartError';
  }
}

const OUTPUT_LIMIT = 64 * 1024;
const createdDirs = new Set<string>();
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Never leave servers or temp dirs behind, even when a test file crashes. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
    for (const dir of createdDirs) rmSync(dir, { recursive: true, force: true });
  });
}

function assertBinary(binary: string): void {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (probe.error) throw new NatsServerMissingError(binary, { cause: probe.error });
}

/** Resolves true when a TCP client on `port` receives the NATS `INFO` greeting. */
function acceptsClients(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    let seen = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (chunk) => {
      seen += chunk.toString('utf8');
      if (seen.startsWith('INFO ')) done(true);
    });
  });
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Spawns a real `nats-server` on 127.0.0.1 (JetStream in a fresh temp dir by default) and resolves once it
 * accepts connections. Fails with an install hint when the binary is missing: tests never skip.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const binary = options.binary ?? 'nats-server';
  assertBinary(binary);
  installExitHook();
  const jetStream = options.jetStream ?? true;
  const port = options.port ?? (await freePort());
  let storeDir = '';
  let ownsStoreDir = false;
  if (jetStream) {
    if (options.storeDir) {
      storeDir = options.storeDir;
    } else {
      storeDir = mkdtempSync(join(tmpdir(), 'rigbench-nats-'));
      ownsStoreDir = true;
      createdDirs.add(storeDir);
    }
  }
  const args = ['-a', '127.0.0.1', '-p', String(port)];
  if (jetStream) args.push('-js', '-sd', storeDir);
  args.push(...(options.args ?? []));
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;

  let child: ChildProcess | undefined;
  let output = '';

  const launch = async (): Promise<void> => {
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    liveChildren.add(proc);
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    proc.once('exit', () => liveChildren.delete(proc));
    let spawnError: Error | undefined;
    proc.once('error', (error) => {
      spawnError = error;
    });
    try {
      await eventually(
        async () => {
          if (spawnError) throw spawnError;
          if (proc.exitCode !== null || proc.signalCode !== null) {
            throw new NatsServerStartError(`nats-server exited (${proc.exitCode ?? proc.signalCode})`);
          }
          return acceptsClients(port);
        },
        { timeoutMs: startTimeoutMs, intervalMs: 20, description: `nats-server accepting on port ${port}` },
      );
    } catch (error) {
      proc.kill('SIGKILL');
      await waitForExit(proc);
      throw new NatsServerStartError(
        `nats-server ${args.join(' ')} did not start: ${(error as Error).message}\n--- server output ---\n${output}`,
        { cause: error },
      );
    }
  };

  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = waitForExit(proc);
    proc.kill(signal);
    const force = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  };

  await launch();

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get pid() {
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    output: () => output,
    stop: () => terminate('SIGTERM'),
    kill: (signal: NodeJS.Signals = 'SIGKILL') => terminate(signal),
    restart: async () => {
      await terminate('SIGTERM');
      await launch();
    },
    dispose: async () => {
      await terminate('SIGTERM');
      if (ownsStoreDir) {
        rmSync(storeDir, { recursive: true, force: true });
        createdDirs.delete(storeDir);
      }
    },
  };
}
