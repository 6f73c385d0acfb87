import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './eventually.js';

/** Repository root (this file is test/support/binaries.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built `rigbench` and `rigbench-agent` entry points, as `npm run build` leaves them. */
export const RIGBENCH_CLI = join(REPO_ROOT, 'apps/controller/dist/cli.js');
export const RIGBENCH_AGENT = join(REPO_ROOT, 'apps/agent/dist/main.js');

/** Fails with a hint when the binaries were not built (tests run them as users do). */
export function assertBuilt(): void {
  for (const file of [RIGBENCH_CLI, RIGBENCH_AGENT]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run 'npm run build' before the end-to-end tests`);
  }
}

/** What a finished process printed and how it ended. */
export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A spawned process whose output is collected; `done` settles when it exits. */
export interface RunningProcess {
  child: ChildProcess;
  done: Promise<ProcessResult>;
  stdout(): string;
  stderr(): string;
}

/** Spawns `node <script> ...args`, collecting stdout and stderr; `env` is added to this process's environment. */
export function startNode(
  script: string,
  args: readonly string[],
  cwd = REPO_ROOT,
  env?: NodeJS.ProcessEnv,
): RunningProcess {
  const child = spawn(process.execPath, [script, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<ProcessResult>((resolvePromise) =>
    child.once('exit', (code, signal) => resolvePromise({ code, signal, stdout, stderr })),
  );
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

/** Runs `node <script> ...args` to completion, with `env` added to this process's environment. */
export function runNode(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<ProcessResult> {
  return startNode(script, args, REPO_ROOT, env).done;
}

/** Runs the built `rigbench` CLI to completion. */
export function runCli(args: readonly string[], cwd = REPO_ROOT): Promise<ProcessResult> {
  return startNode(RIGBENCH_CLI, args, cwd).done;
}

/**
 * The built `rigbench` CLI bound to one store file and one NATS: `cli('run', planFile)` runs
 * `rigbench --store <store> --nats <natsUrl> run <planFile>` to completion.
 */
export function builtCli(store: string, natsUrl: string): (...args: string[]) => Promise<ProcessResult> {
  return (...args) => runCli(['--store', store, '--nats', natsUrl, ...args]);
}

/** Options of {@link startAgentProcess}. */
export interface AgentProcessOptions {
  /** `--id`. */
  id: string;
  /** `--labels`, e.g. `'e2e=yes,box=box-a'`; none when absent. */
  labels?: string;
  /** `--nats-servers`. */
  natsUrl: string;
  /** `--models-dir`. */
  modelsDir: string;
  /** `--outbox-dir`. */
  outboxDir: string;
  /** Further arguments, after the others (e.g. `['--config', file]`). */
  args?: readonly string[];
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts the built `rigbench-agent` as the end-to-end tests run one box: gRPC and /metrics on free loopback ports,
 * a heartbeat every second. Resolves once it logs that it is listening (60 s at most); an agent that never does is
 * killed (SIGKILL) before the error is thrown, so no caller is left with a process it never got.
 */
export async function startAgentProcess(options: AgentProcessOptions): Promise<RunningProcess> {
  const agent = startNode(
    RIGBENCH_AGENT,
    [
      ...['--id', options.id, ...(options.labels === undefined ? [] : ['--labels', options.labels])],
      ...['--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0'],
      ...['--models-dir', options.modelsDir, '--nats-servers', options.natsUrl],
      ...['--outbox-dir', options.outboxDir, '--heartbeat-interval-seconds', '1', ...(options.args ?? [])],
    ],
    REPO_ROOT,
    options.env,
  );
  try {
    await eventually(() => agent.stdout().includes('"event":"listening"'), {
      timeoutMs: 60_000,
      description: `rigbench-agent ${options.id} listening`,
    });
  } catch (error) {
    agent.child.kill('SIGKILL');
    throw error;
  }
  return agent;
}

/** Process ids whose command line mentions `needle` (e.g. a temp dir the processes were given). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Parent pid of `pid`, from /proc/<pid>/stat; undefined when it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** Every live process below `root` in the process tree. */
export function descendantsOf(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent !== undefined) parents.set(Number(entry), parent);
  }
  const found: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const current = frontier.pop()!;
    for (const [pid, parent] of parents) {
      if (parent === current) {
        found.push(pid);
        frontier.push(pid);
      }
    }
  }
  return found;
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Records every process that appears below `root` while it runs (sampled every `intervalMs`), so a test can
 * check afterwards that none of them outlived it.
 */
export function watchDescendants(root: number, intervalMs = 100): { seen: Set<number>; stop(): void } {
  const seen = new Set<number>();
  const sample = (): void => descendantsOf(root).forEach((pid) => seen.add(pid));
  const timer = setInterval(sample, intervalMs);
  sample();
  return { seen, stop: () => clearInterval(timer) };
}
