import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './support/eventually.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';
import { assertBuilt, RIGBENCH_CLI, runCli, startNode } from './support/binaries.js';

const PLAN = (schedule: string) => `
version: 1
name: nightly
models: [{ id: tiny, source: tiny.gguf }]
prompts: { chat: [{ id: q1, text: "你好" }] }
${schedule}
`;

describe('rigbench collect --plans (built CLI, real nats-server)', () => {
  let dir: string;
  let nats: NatsServerHandle;
  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rigbench-collect-schedule-'));
    nats = await startNatsServer();
  });
  afterAll(async () => {
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `rigbench --store <dir>/<store> --nats <url> collect --plans <planFile>`. */
  const collectPlans = (store: string, planFile: string) => [
    ...['--store', join(dir, store), '--nats', nats.url],
    ...['collect', '--plans', planFile],
  ];

  test('arms every schedule entry of the plans and names its next fire time; stops cleanly on SIGTERM', async () => {
    const file = join(dir, 'nightly.yaml');
    writeFileSync(
      file,
      PLAN('schedule:\n  - { cron: "0 7 * * *", label: morning }\n  - { cron: "30 22 * * *", label: night }'),
    );
    const collect = startNode(RIGBENCH_CLI, collectPlans('a.db', file));
    await eventually(() => (collect.stderr().match(/ info scheduled /g) ?? []).length === 2, {
      timeoutMs: 30_000,
    });
    expect(collect.stderr()).toMatch(
      /info scheduled .*plan=nightly cron=0 7 \* \* \* label=morning next=\S+/,
    );
    expect(collect.stderr()).toMatch(/cron=30 22 \* \* \* label=night next=.*22:30:00/);
    collect.child.kill('SIGTERM');
    expect((await collect.done).code).toBe(0);
  }, 60_000);

  test('a plan without schedule: entries, or with a bad one, is refused before collecting, naming the file', async () => {
    const none = join(dir, 'none.yaml');
    writeFileSync(none, PLAN(''));
    const noSchedule = await runCli(collectPlans('b.db', none));
    expect(noSchedule.code).toBe(2);
    expect(noSchedule.stderr).toContain(`${none}: plan 'nightly' has no schedule: entries`);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, PLAN('schedule:\n  - { cron: "0 25 * * *" }'));
    const badCron = await runCli(collectPlans('b.db', bad));
    expect(badCron.code).toBe(2);
    expect(badCron.stderr).toMatch(/bad\.yaml:\d+:\d+.*schedule\[0\]\.cron.*hour/);
  }, 60_000);
});
