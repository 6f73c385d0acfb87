import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the tests append their figures (one JSON object a line); ../figures-reporter.js reads and prints them. */
export const FIGURES_FILE = fileURLToPath(new URL('../../../tmp/faults/figures.jsonl', import.meta.url));

/** One measured figure of the fault suite: a row of the table `npm run test:faults` prints. */
export interface Figure {
  /** Orders the table: the fault scenarios in the order of docs/reliability.md. */
  section: number;
  /** The fault injected, e.g. `NATS killed and restarted 5x during runs`. */
  scenario: string;
  /** What was counted, e.g. `samples stored / expected`. */
  measure: string;
  /** What a correct system shows, e.g. `0`. */
  expected: string;
  /** What this run measured. */
  observed: string | number;
  /** Whether `observed` meets `expected`. */
  ok: boolean;
}

/** Appends one figure for the table; the test still asserts on the same numbers itself. */
export function recordFigure(figure: Figure): void {
  mkdirSync(dirname(FIGURES_FILE), { recursive: true });
  appendFileSync(FIGURES_FILE, `${JSON.stringify(figure)}\n`);
}
