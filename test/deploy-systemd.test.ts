import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describeConfigKeys } from '../apps/agent/src/config/config-schema.js';
import { DEPLOY_DIR, REPO_ROOT, outputOf, runTool } from './deploy-helpers.js';

const SYSTEMD_DIR = join(DEPLOY_DIR, 'systemd');
const UNITS = readdirSync(SYSTEMD_DIR).filter((name) => /\.(service|timer)$/.test(name));

/** A unit file as section → key → values (a key may repeat, e.g. DeviceAllow=). */
type Unit = Record<string, Record<string, string[]>>;

function parseUnit(text: string, file: string): Unit {
  const unit: Unit = {};
  let section: Record<string, string[]> | undefined;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header?.[1]) {
      section = unit[header[1]] ??= {};
      continue;
    }
    const pair = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!pair?.[1] || !section)
      throw new Error(`${file}:${index + 1}: not a section or Key=value line: ${raw}`);
    (section[pair[1]] ??= []).push(pair[2] ?? '');
  }
  return unit;
}

const readUnit = (name: string): Unit => parseUnit(readFileSync(join(SYSTEMD_DIR, name), 'utf8'), name);
const last = (unit: Unit, section: string, key: string): string | undefined => unit[section]?.[key]?.at(-1);

/** Whether `systemd-analyze verify` works in this environment (it does in plain containers without systemd as PID 1). */
function systemdAnalyzeProblem(): string | undefined {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (probe.error) return `systemd-analyze is not installed (${probe.error.message})`;
  if (probe.status !== 0) return `systemd-analyze --version failed: ${probe.stderr.trim()}`;
  return undefined;
}
const cannotVerify = systemdAnalyzeProblem();

/**
 * Copies the units to a temp dir for verification, with `/usr/bin/node` replaced by this test's Node.js binary:
 * verify checks that ExecStart exists, and CI runners install Node.js elsewhere.
 */
function unitsWithThisNode(): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'rigbench-units-'));
  const files = UNITS.map((name) => {
    const target = join(dir, name);
    writeFileSync(
      target,
      readFileSync(join(SYSTEMD_DIR, name), 'utf8').replaceAll('/usr/bin/node', process.execPath),
    );
    return target;
  });
  return { dir, files };
}

describe('deploy/systemd - units', () => {
  test('units - the agent, the collector, a run template and the morning and night timers ship', () => {
    expect(UNITS.sort()).toEqual([
      'rigbench-agent.service',
      'rigbench-collector.service',
      'rigbench-run-morning.timer',
      'rigbench-run-night.timer',
      'rigbench-run@.service',
    ]);
  });

  if (cannotVerify === undefined) {
    test('systemd-analyze verify - every unit loads without errors or warnings (ExecStart node = this node)', () => {
      const { dir, files } = unitsWithThisNode();
      try {
        const result = runTool('systemd-analyze', ['verify', ...files], { cwd: dir });
        // verify exits 0 on unknown keys but prints them: any line naming our units is a finding.
        const findings = outputOf(result)
          .split('\n')
          .filter((line) => line.includes('rigbench-'));
        expect(findings).toEqual([]);
        expect(result.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('systemd-analyze security --offline - the services rate "OK" (exposure below 3.0)', () => {
      const { dir, files } = unitsWithThisNode();
      try {
        for (const file of files.filter((f) => f.endsWith('.service'))) {
          const result = runTool('systemd-analyze', ['security', '--offline=true', '--no-pager', file], {
            cwd: dir,
          });
          const exposure = /Overall exposure level for \S+: (\d+\.\d+)/.exec(outputOf(result));
          expect({ file, exposure: Number(exposure?.[1]) }).toEqual({ file, exposure: expect.any(Number) });
          expect({ file, exposure: Number(exposure?.[1]) < 3 }).toEqual({ file, exposure: true });
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  } else {
    test(`unit files parse as Key=value sections (systemd-analyze cannot run here: ${cannotVerify})`, () => {
      for (const name of UNITS)
        expect(Object.keys(readUnit(name))).toContain(name.endsWith('.timer') ? 'Timer' : 'Service');
    });
  }

  test('rigbench-agent.service - hardened, GPU devices allowed, MemoryDenyWriteExecute left off (V8)', () => {
    const unit = readUnit('rigbench-agent.service');
    const service = unit.Service ?? {};
    expect(last(unit, 'Service', 'User')).toBe('rigbench');
    expect(last(unit, 'Service', 'ProtectSystem')).toBe('strict');
    for (const key of ['ProtectHome', 'PrivateTmp', 'NoNewPrivileges'])
      expect([key, last(unit, 'Service', key)]).toEqual([key, 'yes']);
    expect(last(unit, 'Service', 'StateDirectory')?.split(/\s+/)).toEqual([
      'rigbench',
      'rigbench/models',
      'rigbench/outbox',
    ]);
    expect(last(unit, 'Service', 'DevicePolicy')).toBe('closed');
    const devices = (service.DeviceAllow ?? []).map((entry) => entry.split(/\s+/)[0]);
    expect(devices).toEqual(
      expect.arrayContaining(['char-nvidia*', '/dev/nvidiactl', '/dev/nvidia-uvm', 'char-drm']),
    );
    expect(service.MemoryDenyWriteExecute).toBeUndefined();
    expect(readFileSync(join(SYSTEMD_DIR, 'rigbench-agent.service'), 'utf8')).toMatch(
      /# No MemoryDenyWriteExecute=yes: V8/,
    );
    expect(last(unit, 'Service', 'Restart')).toBe('on-failure');
    expect(last(unit, 'Service', 'ExecStart')).toBe(
      '/usr/bin/node /opt/rigbench/apps/agent/bin/rigbench-agent.js --config /etc/rigbench/agent.yaml',
    );
  });

  test("rigbench-agent.service - TimeoutStopSec leaves room for the agent's shutdown.graceSeconds", () => {
    const grace = describeConfigKeys().find((key) => key.key === 'shutdown.graceSeconds');
    expect(typeof grace?.default).toBe('number');
    const stop = /^(\d+)s$/.exec(last(readUnit('rigbench-agent.service'), 'Service', 'TimeoutStopSec') ?? '');
    expect(Number(stop?.[1])).toBeGreaterThanOrEqual(Number(grace?.default) + 10);
  });

  test("ExecStart - the units run the workspace's own bin entries (rigbench-agent, rigbench)", () => {
    const bin = (workspace: string, name: string): string => {
      const manifest = JSON.parse(readFileSync(join(REPO_ROOT, workspace, 'package.json'), 'utf8')) as {
        bin: Record<string, string>;
      };
      return `/opt/rigbench/${workspace}/${manifest.bin[name]}`;
    };
    const agent = bin('apps/agent', 'rigbench-agent');
    const cli = bin('apps/controller', 'rigbench');
    expect(last(readUnit('rigbench-agent.service'), 'Service', 'ExecStart')?.split(' ')[1]).toBe(agent);
    expect(last(readUnit('rigbench-collector.service'), 'Service', 'ExecStart')?.split(' ')[1]).toBe(cli);
    expect(last(readUnit('rigbench-run@.service'), 'Service', 'ExecStart')?.split(' ')[1]).toBe(cli);
  });

  test('rigbench-collector.service - runs `rigbench collect` hardened, without devices', () => {
    const unit = readUnit('rigbench-collector.service');
    expect(last(unit, 'Service', 'ExecStart')).toMatch(/apps\/controller\/bin\/rigbench\.js collect$/);
    expect(last(unit, 'Service', 'PrivateDevices')).toBe('yes');
    expect(last(unit, 'Service', 'ProtectSystem')).toBe('strict');
    expect(unit.Service?.MemoryDenyWriteExecute).toBeUndefined();
  });

  test('timers - the seed morning and night runs start rigbench-run@<label>.service on a calendar', () => {
    for (const [timer, label, time] of [
      ['rigbench-run-morning.timer', 'morning', '08:00:00'],
      ['rigbench-run-night.timer', 'night', '23:00:00'],
    ] as const) {
      const unit = readUnit(timer);
      expect(last(unit, 'Timer', 'OnCalendar')).toBe(`*-*-* ${time}`);
      expect(last(unit, 'Timer', 'Unit')).toBe(`rigbench-run@${label}.service`);
      expect(last(unit, 'Timer', 'Persistent')).toBe('true');
      expect(last(unit, 'Install', 'WantedBy')).toBe('timers.target');
    }
    const run = readUnit('rigbench-run@.service');
    expect(last(run, 'Service', 'Type')).toBe('oneshot');
    expect(last(run, 'Service', 'ExecStart')).toMatch(
      /rigbench\.js run \$\{RIGBENCH_PLAN\} --name %i --label %i$/,
    );
  });

  test("timers - fire at the times of the seed plan's schedule (examples/seed-p104.yaml)", () => {
    const plan = parseYaml(readFileSync(join(REPO_ROOT, 'examples/seed-p104.yaml'), 'utf8')) as {
      schedule: Array<{ cron: string; label: string }>;
    };
    const fromTimers = ['morning', 'night'].map((label) => {
      const calendar = last(readUnit(`rigbench-run-${label}.timer`), 'Timer', 'OnCalendar') ?? '';
      const [, hour, minute] = /^\*-\*-\* (\d\d):(\d\d):00$/.exec(calendar) ?? [];
      return { label, cron: `${Number(minute)} ${Number(hour)} * * *` };
    });
    expect(plan.schedule.map(({ label, cron }) => ({ label, cron }))).toEqual(fromTimers);
  });
});
