import { maskUrlCredentials } from '@rigbench/shared';
import type { Logger } from '@rigbench/shared';

/** Where commands print: results on stdout, progress, warnings and errors on stderr. */
export interface Output {
  /** One line of results for people (stdout). */
  line(text?: string): void;
  /** A machine-readable result (stdout), pretty-printed JSON. */
  json(value: unknown): void;
  /** Raw text without a newline added (stdout), e.g. a rendered report. */
  write(text: string): void;
  /** A note, warning or error line (stderr); credentials inside URLs are masked. */
  note(text: string): void;
  /** True when stderr is an interactive terminal (progress bars make sense). */
  readonly interactive: boolean;
  readonly stderr: NodeJS.WritableStream;
}

/** An {@link Output} over two writable streams. */
export function streamOutput(
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream & { isTTY?: boolean },
): Output {
  return {
    line: (text = '') => void stdout.write(`${text}\n`),
    json: (value) => void stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    write: (text) => void stdout.write(text),
    // Errors and log lines may quote a NATS URL with its credentials (a connection error): never in clear.
    note: (text) => void stderr.write(`${maskUrlCredentials(text)}\n`),
    interactive: stderr.isTTY === true,
    stderr,
  };
}

/** A {@link Logger} printing `time level message key=value…` lines on stderr, for long-running commands. */
export function stderrLogger(output: Output, verbose = false): Logger {
  const emit = (level: string, message: string, details?: Record<string, unknown>): void => {
    const extra = details
      ? Object.entries(details)
          .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
          .join(' ')
      : '';
    output.note(`${new Date().toISOString()} ${level} ${message}${extra ? ` ${extra}` : ''}`);
  };
  return {
    debug: (m, d) => (verbose ? emit('debug', m, d) : undefined),
    info: (m, d) => emit('info', m, d),
    warn: (m, d) => emit('warn', m, d),
    error: (m, d) => emit('error', m, d),
  };
}

/** Renders rows as aligned text columns under a header. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)];
}
