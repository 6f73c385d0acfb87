import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { chatSample as sample } from '../../../../test/support/chat-sample.js';
import { AgentMetrics, type SampleLabels } from './agent-metrics.js';
import { MetricsServer } from './metrics-server.js';
import { FINE_BUCKET_RATIO, METRIC_BUCKETS, geometricBuckets } from './metric-buckets.js';

const labels: SampleLabels = {
  model: 'tiny-q8',
  backend: 'cpu',
  prompt: 'short',
  mode: 'chat',
  devices: 'none',
  threads: '2',
};

function makeMetrics(): AgentMetrics {
  return new AgentMetrics({
    registry: new Registry(),
    node: 'gpu-box-1',
    versions: { version: '0.1.0', llamaCpp: 'b6000', nodeLlamaCpp: '3.21.1' },
  });
}

/** Runs Debian's promtool on the exposition text; fails with an install hint when it is missing. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `promtool not found (${result.error.message}); install it with 'apt-get install prometheus'`,
    );
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('AgentMetrics', () => {
  test('promtool check metrics - passes with no output after samples, cases, runs, gpus and outbox', async () => {
    const metrics = makeMetrics();
    metrics.observeSample(labels, sample());
    metrics.observeSample(
      labels,
      sample({ ttftSeconds: null, interTokenLatency: null, finishReason: 'eos' }),
    );
    metrics.observeSample({ ...labels, mode: 'raw' }, sample({ mode: 'raw', finishReason: 'completed' }));
    metrics.observeModelLoad(labels, 2.5);
    metrics.caseFinished('ok', labels, 'c1');
    metrics.caseFinished('failed', labels);
    metrics.runFinished('partial');
    metrics.setBusy(true);
    metrics.setOutbox(12, 4096, 0.01);
    metrics.outboxRejectedEvents();
    metrics.eventsAcknowledged(5);
    metrics.publishFailed();
    metrics.setNatsConnected(true);
    metrics.setGpus([
      {
        index: 0,
        name: 'NVIDIA GeForce RTX 3090',
        uuid: 'GPU-1234',
        vramTotalBytes: 24e9,
        vramUsedBytes: 1e9,
      },
    ]);
    const text = await metrics.metrics();
    const { status, output } = promtoolCheck(text);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  test('exposition - names in base units, bounded labels and info series', async () => {
    const metrics = makeMetrics();
    metrics.observeSample(labels, sample());
    metrics.setGpus([
      { index: 1, name: 'RTX 4090', kind: 'discrete', uuid: 'GPU-abcd', vramUsedBytes: 2048 },
      { index: 2, name: 'llvmpipe (LLVM 15.0.6, 256 bits)', kind: 'software' },
    ]);
    const text = await metrics.metrics();
    expect(text).toContain(
      'rigbench_ttft_seconds_bucket{le="0.1012",node="gpu-box-1",model="tiny-q8",backend="cpu",devices="none",threads="2",prompt="short",mode="chat"} 1',
    );
    expect(text).toMatch(/rigbench_decode_tokens_per_second_count\{[^}]*\} 1/);
    expect(text).toContain(
      'rigbench_samples_total{node="gpu-box-1",model="tiny-q8",backend="cpu",devices="none",threads="2",prompt="short",mode="chat",finish_reason="maxTokens"} 1',
    );
    expect(text).toMatch(
      /rigbench_agent_info\{node="gpu-box-1",version="0\.1\.0",llama_cpp="b6000",node_llama_cpp="3\.21\.1",nodejs="[^"]+"\} 1/,
    );
    expect(text).toContain(
      'rigbench_gpu_info{node="gpu-box-1",gpu="1",uuid="GPU-abcd",name="RTX 4090",kind="discrete"} 1',
    );
    expect(text).toContain(
      'rigbench_gpu_info{node="gpu-box-1",gpu="2",uuid="",name="llvmpipe (LLVM 15.0.6, 256 bits)",kind="software"} 1',
    );
    expect(text).toContain('rigbench_gpu_vram_used_bytes{node="gpu-box-1",gpu="1"} 2048');
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).not.toContain('# TYPE rigbench_ttft_seconds summary');
    // No run ids or case ids in any label.
    expect(text).not.toMatch(/run_?id=|case_?id=/i);
  });

  test('per-case gauges - the median of an ok case, per devices and threads; a failed case keeps the last result', async () => {
    const metrics = makeMetrics();
    const oneCard = { ...labels, backend: 'cuda', devices: '0' };
    const twoCards = { ...labels, backend: 'cuda', devices: '0,1' };
    for (const tps of [27, 29, 31])
      metrics.observeSample(oneCard, sample({ caseId: 'c1', decodeTokensPerSecond: tps }));
    metrics.caseFinished('ok', oneCard, 'c1');
    for (const tps of [40, 44])
      metrics.observeSample(twoCards, sample({ caseId: 'c2', decodeTokensPerSecond: tps }));
    metrics.caseFinished('ok', twoCards, 'c2');
    // The next round: the one-card case fails; its last good median stays.
    metrics.observeSample(oneCard, sample({ caseId: 'c3', decodeTokensPerSecond: 5 }));
    metrics.caseFinished('failed', oneCard, 'c3');
    const text = await metrics.metrics();
    const id = 'node="gpu-box-1",model="tiny-q8",backend="cuda",threads="2",prompt="short"';
    expect(text).toContain(
      `rigbench_case_decode_tokens_per_second{${id.replace('threads', 'devices="0",threads')}} 29`,
    );
    expect(text).toContain(
      `rigbench_case_decode_tokens_per_second{${id.replace('threads', 'devices="0,1",threads')}} 42`,
    );
    expect(text).toContain(
      `rigbench_case_ttft_seconds{${id.replace('threads', 'devices="0",threads')}} 0.06`,
    );
    expect(text).toContain(
      `rigbench_case_prompt_tokens_per_second{${id.replace('threads', 'devices="0",threads')}} 640`,
    );
    expect(text).toContain(`rigbench_case_samples{${id.replace('threads', 'devices="0",threads')}} 3`);
    expect(text).toMatch(/rigbench_case_last_finished_timestamp_seconds\{[^}]*devices="0,1"[^}]*\} \d{10}/);
    expect(promtoolCheck(text).output).toBe('');
  });

  test('buckets - speeds and TTFT have 4% steps, so a 5% change always lands in another bucket', () => {
    const bucketOf = (bounds: readonly number[], value: number) => bounds.findIndex((le) => value <= le);
    for (const [name, bounds] of [
      ['decode', METRIC_BUCKETS.decodeTokensPerSecond],
      ['prompt', METRIC_BUCKETS.promptTokensPerSecond],
      ['ttft', METRIC_BUCKETS.ttftSeconds],
    ] as const) {
      for (let i = 1; i < bounds.length; i += 1) {
        expect((bounds[i] as number) / (bounds[i - 1] as number)).toBeLessThan(FINE_BUCKET_RATIO + 0.001);
      }
      const low = (bounds[1] as number) * 1.06;
      const high = (bounds[bounds.length - 1] as number) * 0.94;
      for (let value = low; value < high; value *= 1.013) {
        expect({ name, value, moved: bucketOf(bounds, value * 0.95) !== bucketOf(bounds, value) }).toEqual({
          name,
          value,
          moved: true,
        });
      }
    }
    // The seed's figures: 812 vs 750 and 29 vs 21 tok/s are in different buckets.
    const decode = METRIC_BUCKETS.decodeTokensPerSecond;
    expect(bucketOf(decode, 812)).not.toBe(bucketOf(decode, 750));
    expect(geometricBuckets(1, 2, 1.5)).toEqual([1, 1.5, 2.25]);
    expect(() => geometricBuckets(0, 2)).toThrow(RangeError);
  });

  test('cardinality - one more combination adds the 641 series the README budgets, no more', async () => {
    const metrics = makeMetrics();
    const series = async () =>
      (await metrics.metrics()).split('\n').filter((line) => line.startsWith('rigbench_')).length;
    metrics.observeSample(labels, sample());
    metrics.caseFinished('ok', labels, 'c1');
    const before = await series();
    const next = { ...labels, prompt: 'long' };
    metrics.observeSample(next, sample({ caseId: 'c2' }));
    metrics.caseFinished('ok', next, 'c2');
    expect((await series()) - before).toBe(641);
  });

  test('setGpus - replaces the previous GPU list', async () => {
    const metrics = makeMetrics();
    metrics.setGpus([{ index: 0, name: 'A', uuid: 'GPU-a' }]);
    metrics.setGpus([{ index: 1, name: 'B', uuid: 'GPU-b' }]);
    const text = await metrics.metrics();
    expect(text).not.toContain('uuid="GPU-a"');
    expect(text).toContain('uuid="GPU-b"');
  });
});

describe('MetricsServer', () => {
  test('serves /metrics and /healthz on port 0 and stops', async () => {
    const metrics = makeMetrics();
    metrics.setBusy(true);
    let healthy = true;
    const server = new MetricsServer({ registry: metrics.registry, port: 0, healthy: () => healthy });
    await server.start();
    try {
      expect(server.port).toBeGreaterThan(0);
      const res = await fetch(`${server.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(await res.text()).toContain('rigbench_agent_busy{node="gpu-box-1"} 1');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      healthy = false;
      expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
      expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    } finally {
      await server.stop();
    }
    expect(server.state).toBe('stopped');
    await expect(fetch(`${server.url}/metrics`)).rejects.toThrow();
  });

  test('start - a taken port fails with MetricsServerBindError naming the address', async () => {
    const first = new MetricsServer({ registry: new Registry(), port: 0 });
    await first.start();
    try {
      const second = new MetricsServer({ registry: new Registry(), port: first.port });
      await expect(second.start()).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${first.port}`));
    } finally {
      await first.stop();
    }
  });
});
