import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually.js';
import { assertBuilt, isAlive, RIGBENCH_CLI, startNode, watchDescendants } from '../support/binaries.js';

/** The demo's temporary directory, as it prints it on the NATS line. */
const workDirOf = (stderr: string): string | undefined => /\(store (\/\S+)\/nats\)/.exec(stderr)?.[1];

describe('rigbench demo (built binary, real nats-server, two real agents, real inference)', () => {
  let cwd: string;
  beforeAll(() => assertBuilt());
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'rigbench-demo-test-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  test('demo - runs both rounds end to end, prints tables and verdicts, writes the HTML report, leaves nothing behind', async () => {
    const demo = startNode(RIGBENCH_CLI, ['demo', '--repetitions', '2', '--out', 'report.html'], cwd);
    const tree = watchDescendants(demo.child.pid!);
    const result = await demo.done;
    tree.stop();
    const all = result.stdout + result.stderr;
    expect({ code: result.code, tail: all.slice(-3000) }).toEqual({ code: 0, tail: expect.any(String) });

    // Both rounds complete on both agents, with every sample stored (3 chat prompts + 1 raw test, 2 models, 2 reps)
    // and the load sweep's 3 levels per model (cases without samples: each level is one load.level.recorded).
    const complete = all.match(/node-[ab]: complete, 14\/14 cases, 16 samples, outcome completed/g) ?? [];
    expect(complete).toHaveLength(4);
    // The seed's table: a column per prompt, rows per backend x model x round.
    expect(result.stdout).toMatch(
      /\| backend \| model \| agent \|( what changed \|)? round \| q1 \(tok\/s, TTFT s\) \| q2 \(tok\/s, TTFT s\) \| q3 \(tok\/s, TTFT s\) \|/,
    );
    // The night round's changed model file is named as a fingerprint difference.
    expect(all).toMatch(/model\.sha256/);
    // `rigbench trend` names the replaced small-model file: as the night change point when the step beats the
    // noise (q8_0 decodes faster than f16 here), else as a fingerprint change without a step.
    expect(all).toMatch(
      /small cpu .*: decode t\/s (rose|fell) [\d.]+% \(95% CI .*fingerprint changed: .*model\.sha256|Fingerprint changes without a change point:[\s\S]*small cpu[^\n]*model\.sha256/,
    );
    // Energy: tokens per joule where a power source is readable, else the reason per agent.
    expect(all).toMatch(/decode tok\/J (rose|fell)|No change point in any group|measured no power from/);
    // Each round ends with its answers, and the report opens with them (one run is one round a side: no verdict
    // claims more than that).
    expect(result.stdout).toMatch(/^answers:\n {2}\S.*(faster|sooner) than/m);
    expect(result.stdout.indexOf('## The answer')).toBeLessThan(result.stdout.indexOf('## Runs'));
    // The verdict lines of `compare` (either outcome is honest: the figures decide).
    expect(all).toMatch(/faster than|slower than|no significant difference/);

    const html = readFileSync(join(cwd, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html.indexOf('<section id="answers">')).toBeLessThan(html.indexOf('<h2>Runs</h2>'));
    expect(html).not.toMatch(/(src|href)=["']https?:/i);
    // The serving-load sweep: a curve per agent, model and round, and its table with goodput.
    expect(result.stdout).toContain('## Serving load (concurrency sweeps)');
    expect(html.match(/<svg class="load-curve"/g)).toHaveLength(8);
    expect(html).toContain('<th class="r">goodput (req/s)</th>');

    const workDir = workDirOf(result.stderr);
    expect(workDir).toBeDefined();
    expect(existsSync(workDir!)).toBe(false);
    expect(tree.seen.size).toBeGreaterThanOrEqual(3); // nats-server and two agents at least
    expect([...tree.seen].filter(isAlive)).toEqual([]);
  }, 600_000);

  test('demo - Ctrl-C during the first round stops every process and removes the temporary directory', async () => {
    const demo = startNode(RIGBENCH_CLI, ['demo', '--repetitions', '2', '--out', 'report.html'], cwd);
    const tree = watchDescendants(demo.child.pid!);
    await eventually(() => /round "morning"/.test(demo.stderr()), { timeoutMs: 180_000, intervalMs: 100 });
    const workDir = workDirOf(demo.stderr());
    // A terminal's Ctrl-C reaches the whole foreground process group; here the children get it from the demo.
    demo.child.kill('SIGINT');
    const result = await demo.done;
    tree.stop();

    expect(result.code).not.toBe(0);
    expect(existsSync(join(cwd, 'report.html'))).toBe(false);
    expect(workDir).toBeDefined();
    expect(existsSync(workDir!)).toBe(false);
    expect([...tree.seen].filter(isAlive)).toEqual([]);
  }, 300_000);
});
