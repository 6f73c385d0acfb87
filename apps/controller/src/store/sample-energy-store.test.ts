import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expandPlan, parsePlanYaml, type SampleEnergy } from '@rigbench/shared';
import { syntheticRunEvents } from '../../../../test/support/synthetic-run.js';
import { buildRunDataset } from './build-run-dataset.js';
import { RunStore } from './run-store.js';
import { STORE_SCHEMA_VERSION } from './store-schema.js';

const planFile = fileURLToPath(new URL('../../../../examples/quick-cpu.yaml', import.meta.url));

const energy: SampleEnergy = {
  gpu: null,
  cpu: {
    idleWatts: 12.5,
    prompt: {
      seconds: 0.2,
      joules: 6,
      meanWatts: 30,
      peakWatts: 31,
      readings: 2,
      tokensPerJoule: 2,
      tokensPerJouleAboveIdle: 3.4,
    },
    decode: {
      seconds: 1.5,
      joules: 60,
      meanWatts: 40,
      peakWatts: 44,
      readings: 15,
      tokensPerJoule: 0.5,
      tokensPerJouleAboveIdle: 0.73,
    },
  },
  promptTokensPerJoule: 2,
  decodeTokensPerJoule: 0.5,
};

describe('store - sample energy', () => {
  test('store - energy per phase is stored with the sample and read back; samples without it have none', () => {
    const plan = parsePlanYaml(readFileSync(planFile, 'utf8'), planFile);
    const caseIds = expandPlan(plan).map((c) => c.caseId);
    const store = RunStore.open(':memory:');
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(STORE_SCHEMA_VERSION);
      const events = [
        ...syntheticRunEvents({ runId: 'r1', agentId: 'a1', cases: 0, caseIds, samplesPerCase: 2, plan }),
      ];
      let withEnergy = 0;
      for (const e of events) {
        if (e.type === 'sample.recorded' && e.sample.repetition === 0) {
          e.sample.energy = energy;
          withEnergy++;
        }
      }
      store.writeEvents(events);
      const samples = buildRunDataset(store, 'r1').samples.map((s) => s.sample);
      expect(samples.filter((s) => s.repetition === 0).map((s) => s.energy)).toEqual(
        Array.from({ length: withEnergy }, () => energy),
      );
      expect(samples.filter((s) => s.repetition === 1).every((s) => !('energy' in s))).toBe(true);
    } finally {
      store.close();
    }
  });
});
