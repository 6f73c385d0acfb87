import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import type { PhaseEnergy, Sample } from '@rigbench/shared';
import { chatSample } from '../../../../test/support/chat-sample.js';
import { AgentMetrics } from './agent-metrics.js';

const phase = (meanWatts: number, tokensPerJoule: number): PhaseEnergy => ({
  seconds: 1,
  joules: meanWatts,
  meanWatts,
  peakWatts: meanWatts,
  readings: 10,
  tokensPerJoule,
  tokensPerJouleAboveIdle: null,
});

/** The shared chat sample decoding 63 t/s for 1 s, so the 210 W below give the 0.3 tok/J it reports. */
const sample = (energy: Sample['energy']): Sample =>
  chatSample({
    decodeSeconds: 1,
    decodeTokensPerSecond: 63,
    endToEndSeconds: 1.1,
    ...(energy === undefined ? {} : { energy }),
  });

test('metrics - decode tokens per joule and decode watts (GPU + CPU) per sample with energy; none without', async () => {
  const metrics = new AgentMetrics({
    registry: new Registry(),
    node: 'gpu-box-1',
    versions: { version: '0.1.0', llamaCpp: 'b6000', nodeLlamaCpp: '3.21.1' },
    defaultMetrics: false,
  });
  const labels = {
    model: 'tiny',
    backend: 'cuda',
    devices: '0',
    threads: 'auto',
    prompt: 'q1',
    mode: 'chat' as const,
  };
  metrics.observeSample(labels, sample(undefined));
  metrics.observeSample(labels, sample(null));
  metrics.observeSample(labels, {
    ...sample({
      gpu: { idleWatts: 40, prompt: null, decode: phase(180, 0.35) },
      cpu: { idleWatts: 10, prompt: null, decode: phase(30, 2.1) },
      promptTokensPerJoule: null,
      decodeTokensPerJoule: 0.3,
    }),
  });
  const text = await metrics.metrics();
  const l = 'node="gpu-box-1",model="tiny",backend="cuda",devices="0",threads="auto",prompt="q1",mode="chat"';
  expect(text).toContain(`rigbench_decode_tokens_per_joule_count{${l}} 1`);
  expect(text).toContain(`rigbench_decode_tokens_per_joule_sum{${l}} 0.3`);
  expect(text).toContain(`rigbench_decode_power_watts_sum{${l}} 210`);
  expect(text).toContain(`rigbench_decode_power_watts_bucket{le="300",${l}} 1`);
  expect(text).toContain(`rigbench_decode_tokens_per_second_count{${l}} 3`);
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (check.error) throw new Error(`promtool not found; install it with 'apt-get install prometheus'`);
  expect(`${check.stdout}${check.stderr}`).toBe('');
});
