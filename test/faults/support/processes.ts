/**
 * The real binaries of the fault suite as child processes: `rigbench-agent` (apps/agent/dist/main.js) and the
 * `rigbench` controller CLI (apps/controller/dist/cli.js), with their output kept for assertions and failure
 * messages, and helpers to find and kill an agent's worker processes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const AGENT_MAIN = resolve('apps/agent/dist/main.js');
export const CLI_MAIN = resolve('apps/controller/dist/cli.js');

/** Fails with a hint when the suite runs without a build (`npm run test:faults` builds first). */
export function assertBuilt(): void {
  for (const file of [AGENT_MAIN, CLI_MAIN]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run 'npx tsc -b' (npm run test:faults builds first)`);
  }
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A running child process with its output. */
export interface Proc {
  child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exit: Promise<number | null>;
  /** Sends `signal` (default SIGKILL) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `node script args` with a minimal environment plus `env`. */
export function spawnNode(script: string, args: readonly string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir(), ...env },
  });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exit = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      live.delete(child);
      done(code);
    }),
  );
  return {
    child,
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    exit,
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
}

/** A started `rigbench-agent` with the addresses it printed. */
export interface AgentProc extends Proc {
  grpc: string;
  metrics: string;
  outboxDir: string;
  /** Current value of a metric on /metrics (summed over its series), or undefined when absent. */
  metric(name: string): Promise<number | undefined>;
}

export interface AgentProcOptions {
  id: string;
  natsUrl: string;
  modelsDir: string;
  /** Reuse an outbox (an agent restarted on the same disk); default: a fresh temp dir. */
  outboxDir?: string;
  token?: string;
  args?: readonly string[];
  env?: Record<string, string>;
}

/** Starts the agent binary on 127.0.0.1 (free ports) and resolves once it printed its listening line. */
export async function startAgentProc(options: AgentProcOptions): Promise<AgentProc> {
  const outboxDir = options.outboxDir ?? mkdtempSync(join(tmpdir(), 'rigbench-faults-outbox-'));
  const proc = spawnNode(
    AGENT_MAIN,
    [
      ...['--id', options.id, '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0'],
      ...['--nats-servers', options.natsUrl, '--models-dir', options.modelsDir, '--outbox-dir', outboxDir],
      ...['--heartbeat-interval-seconds', '1'],
      ...(options.args ?? []),
    ],
    { ...(options.token ? { RIGBENCH_AGENT_AUTH_TOKEN: options.token } : {}), ...options.env },
  );
  const lines = createInterface({ input: proc.child.stdout! });
  const listening = await new Promise<{ grpc: string; metrics: string }>((done, fail) => {
    lines.once('line', (line) => done(JSON.parse(line) as { grpc: string; metrics: string }));
    void proc.exit.then((code) =>
      fail(new Error(`agent exited ${code} before listening:\n${proc.stderr()}`)),
    );
  });
  return {
    ...proc,
    ...listening,
    outboxDir,
    metric: async (name: string) => {
      const text = await (await fetch(`http://${listening.metrics}/metrics`)).text();
      let sum: number | undefined;
      for (const line of text.split('\n')) {
        if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
          sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    },
  };
}

/** Runs the controller CLI to completion. */
export function cli(
  args: readonly string[],
  env: Record<string, string>,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI_MAIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir(), ...env },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Pids of the direct children of `pid` (the agent's worker processes), from /proc. */
export function childPids(pid: number): number[] {
  const pids: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (children) pids.push(...children.split(/\s+/).map(Number));
  }
  return pids;
}
