import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { describeConfigKeys } from '../apps/agent/src/config/config-schema.js';
import { controllerEnvNames } from '../apps/controller/src/config/config-schema.js';
import { EventPublisher } from '../apps/agent/src/events/index.js';
import {
  DEPLOY_DIR,
  REPO_ROOT,
  TEST_NATS_USERS,
  outputOf,
  readDashboard,
  readDeployYaml,
  runTool,
  startShippedNats,
  startShippedTlsNats,
  type ShippedNats,
} from './deploy-helpers.js';
import { TestPki } from './faults/support/test-pki.js';
import { makeRunEvents } from './support/run-events.js';

const COMPOSE_DIR = join(DEPLOY_DIR, 'compose');
const COMPOSE_FILES = ['docker-compose.yml', 'nats-cluster.yml'];

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  volumes?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
  deploy?: { resources?: { reservations?: { devices?: Array<Record<string, unknown>> } } };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const readCompose = (file: string): ComposeFile => readDeployYaml(`compose/${file}`) as ComposeFile;

/** `${NAME:?message}` references: variables docker compose refuses to run without. */
const requiredVariables = (file: string): string[] => [
  ...new Set(
    [...readFileSync(join(COMPOSE_DIR, file), 'utf8').matchAll(/\$\{(\w+):\?/g)].map((m) => m[1] ?? ''),
  ),
];

describe('deploy/compose - files parse and reference only what exists', () => {
  test.each(COMPOSE_FILES)('%s - parses as YAML with services', (file) => {
    const compose = readCompose(file);
    expect(Object.keys(compose.services).length).toBeGreaterThan(0);
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, image: service.image ?? service.build }).toEqual({ name, image: expect.anything() });
    }
  });

  test.each(COMPOSE_FILES)(
    '%s - every bind-mounted file or folder exists, named volumes are declared',
    (file) => {
      const compose = readCompose(file);
      const missing: string[] = [];
      for (const [name, service] of Object.entries(compose.services)) {
        for (const volume of service.volumes ?? []) {
          const source = volume.split(':')[0] ?? '';
          if (source.startsWith('.') || source.startsWith('/')) {
            // Absolute sources are host paths the user provides (models); only repository paths must exist.
            if (isAbsolute(source)) continue;
            if (!existsSync(resolve(COMPOSE_DIR, source))) missing.push(`${name}: ${source}`);
          } else if (!source.startsWith('$')) {
            if (!(source in (compose.volumes ?? {}))) missing.push(`${name}: undeclared volume ${source}`);
          }
        }
        if (service.build) {
          const context = resolve(COMPOSE_DIR, service.build.context);
          if (!existsSync(context)) missing.push(`${name}: build context ${service.build.context}`);
          const dockerfile = join(context, service.build.dockerfile ?? 'Dockerfile');
          if (!existsSync(dockerfile)) missing.push(`${name}: ${dockerfile}`);
        }
      }
      expect(missing).toEqual([]);
    },
  );

  test('docker-compose.yml - NATS keeps JetStream on a named volume, needs passwords, does not publish monitoring', () => {
    const nats = readCompose('docker-compose.yml').services.nats;
    expect(nats?.volumes).toContain('nats-data:/data');
    expect(readFileSync(join(COMPOSE_DIR, 'nats', 'nats.conf'), 'utf8')).toMatch(/store_dir: \/data\n/);
    expect(nats?.command).toEqual(['-c', '/etc/nats/nats.conf']);
    expect((nats?.ports ?? []).filter((port) => port.includes('8222'))).toEqual([]);
    expect(Object.keys(nats?.environment ?? {}).sort()).toEqual([
      'NATS_AGENT_PASSWORD',
      'NATS_CONTROLLER_PASSWORD',
    ]);
  });

  test('docker-compose.yml - Prometheus is published on loopback only, without the HTTP lifecycle API', () => {
    const prometheus = readCompose('docker-compose.yml').services.prometheus;
    expect(prometheus?.ports).toEqual(['127.0.0.1:${PROMETHEUS_PORT:-9090}:9090']);
    expect(prometheus?.command).not.toContain('--web.enable-lifecycle');
  });

  test('hardened.yml - TLS for NATS and mTLS for the agent, with keys the configs know and files that exist', () => {
    const hardened = readCompose('hardened.yml');
    const base = readCompose('docker-compose.yml');
    expect(Object.keys(hardened.services).filter((name) => !(name in base.services))).toEqual([]);
    const agentKeys = new Set(describeConfigKeys().map((key) => key.env));
    const agentEnv = hardened.services.agent?.environment ?? {};
    expect(Object.keys(agentEnv).filter((name) => !agentKeys.has(name))).toEqual([]);
    expect(agentEnv).toMatchObject({
      RIGBENCH_AGENT_NATS_SERVERS: 'tls://nats:4222',
      RIGBENCH_AGENT_TLS_REQUIRE_CLIENT_CERT: 'true',
    });
    const controllerKeys = new Set(controllerEnvNames());
    const collectorEnv = hardened.services.collector?.environment ?? {};
    expect(Object.keys(collectorEnv).filter((name) => !controllerKeys.has(name))).toEqual([]);
    expect(hardened.services.nats?.command).toEqual(['-c', '/etc/nats/nats-tls.conf']);
    // ./certs is the operator's (not shipped); every other mounted file ships.
    const mounts = Object.values(hardened.services).flatMap((service) => service.volumes ?? []);
    const files = mounts
      .map((m) => m.split(':')[0] ?? '')
      .filter((src) => src.startsWith('./') && src !== './certs');
    expect(files.filter((src) => !existsSync(join(COMPOSE_DIR, src)))).toEqual([]);
  });

  test('docker-compose.yml - the example agent reserves NVIDIA GPUs and mounts models and state', () => {
    const agent = readCompose('docker-compose.yml').services.agent;
    expect(agent?.profiles).toEqual(['agent']);
    const devices = agent?.deploy?.resources?.reservations?.devices ?? [];
    expect(devices).toEqual([
      expect.objectContaining({ driver: 'nvidia', capabilities: expect.arrayContaining(['gpu']) }),
    ]);
    expect(agent?.volumes?.some((v) => v.endsWith(':/models:ro'))).toBe(true);
    expect(agent?.volumes).toContain('agent-state:/var/lib/rigbench');
    expect(agent?.environment).toMatchObject({
      RIGBENCH_AGENT_MODELS_DIR: '/models',
      RIGBENCH_AGENT_NATS_USER: 'agent',
      RIGBENCH_AGENT_METRICS_LISTEN: '0.0.0.0:9464',
    });
  });

  test('docker-compose.yml - the collector runs `rigbench collect` with controller settings the controller reads', () => {
    const collector = readCompose('docker-compose.yml').services.collector;
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'apps/controller/package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(collector?.command).toEqual([`apps/controller/${manifest.bin.rigbench}`, 'collect']);
    const known = new Set(controllerEnvNames());
    expect(Object.keys(collector?.environment ?? {}).filter((name) => !known.has(name))).toEqual([]);
    expect(collector?.environment?.RIGBENCH_NATS_USER).toBe('controller');
  });

  test('docker-compose.yml - the agent environment names only keys the agent config knows', () => {
    const agent = readCompose('docker-compose.yml').services.agent;
    const known = new Set(describeConfigKeys().map((key) => key.env));
    expect(Object.keys(agent?.environment ?? {}).filter((name) => !known.has(name))).toEqual([]);
    const dockerfileEnv = [
      ...readFileSync(join(COMPOSE_DIR, 'Dockerfile'), 'utf8').matchAll(/^\s+(RIGBENCH_AGENT_\w+)=/gm),
    ].map((m) => m[1] ?? '');
    expect(dockerfileEnv.length).toBeGreaterThan(2);
    expect(dockerfileEnv.filter((name) => !known.has(name))).toEqual([]);
  });

  test('Grafana and Prometheus - the compose mounts match the provisioning paths and the datasource uid', () => {
    const services = readCompose('docker-compose.yml').services;
    const provider = readDeployYaml('grafana/provisioning/dashboards/rigbench.yml') as {
      providers: Array<{ options: { path: string } }>;
    };
    const datasources = readDeployYaml('grafana/provisioning/datasources/rigbench.yml') as {
      datasources: Array<{ uid: string; type: string; url: string }>;
    };
    expect(services.grafana?.volumes).toContain(
      `../grafana/dashboards:${provider.providers[0]?.options.path}:ro`,
    );
    const datasource = datasources.datasources[0];
    expect(datasource).toMatchObject({
      uid: 'rigbench-prom',
      type: 'prometheus',
      url: 'http://prometheus:9090',
    });
    const variable = readDashboard().templating.list.find((v) => v.name === 'datasource');
    expect(variable?.current).toMatchObject({ value: datasource?.uid });
    expect(services.prometheus?.volumes).toContain('../prometheus:/etc/prometheus:ro');
    expect(services.prometheus?.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
  });

  test('alerting - Prometheus sends to the compose Alertmanager, whose config amtool accepts, with a receiver', () => {
    const services = readCompose('docker-compose.yml').services;
    const prometheus = readDeployYaml('prometheus/prometheus.yml') as {
      alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
      scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }> }>;
    };
    const targets = prometheus.alerting.alertmanagers.flatMap((a) =>
      a.static_configs.flatMap((c) => c.targets),
    );
    expect(targets).toEqual(['alertmanager:9093']);
    const alertmanager = services.alertmanager;
    expect(alertmanager?.command).toContain('--config.file=/etc/alertmanager/alertmanager.yml');
    expect(alertmanager?.volumes).toContain(
      '../alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro',
    );
    // Its API accepts alerts from anyone who can reach it: loopback only on the host.
    expect(alertmanager?.ports?.every((port) => port.startsWith('127.0.0.1:'))).toBe(true);
    const check = runTool('amtool', ['check-config', join(DEPLOY_DIR, 'alertmanager', 'alertmanager.yml')]);
    expect(outputOf(check)).toContain('SUCCESS');
    expect(check.status).toBe(0);
    const config = readDeployYaml('alertmanager/alertmanager.yml') as {
      route: { receiver: string };
      receivers: Array<{ name: string; webhook_configs?: Array<{ url: string }> }>;
    };
    const receiver = config.receivers.find((r) => r.name === config.route.receiver);
    // The example receiver is the compose stack's own ntfy service.
    expect(receiver?.webhook_configs?.[0]?.url).toBe('http://ntfy:80/rigbench');
    expect(services.ntfy?.command).toEqual(['serve']);
    expect(services.ntfy?.ports).toContain('${NTFY_PORT:-8080}:80');
  });

  test('NATS metrics - the exporter reads the server monitoring port and Prometheus scrapes the exporter', () => {
    const services = readCompose('docker-compose.yml').services;
    const exporter = services['nats-exporter'];
    expect(exporter?.command).toEqual(
      expect.arrayContaining(['-jsz=all', '-port', '7777', 'http://nats:8222']),
    );
    expect(exporter?.ports).toBeUndefined();
    expect(readFileSync(join(COMPOSE_DIR, 'nats', 'nats.conf'), 'utf8')).toMatch(
      /http_port: 8222|http: .*8222/,
    );
    const prometheus = readDeployYaml('prometheus/prometheus.yml') as {
      scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }> }>;
    };
    const job = prometheus.scrape_configs.find((j) => j.job_name === 'nats');
    expect(job?.static_configs?.[0]?.targets).toEqual(['nats-exporter:7777']);
    // Every static target of a scrape job is a compose service (or Prometheus itself).
    const hosts = prometheus.scrape_configs.flatMap((j) =>
      (j.static_configs ?? []).flatMap((c) => c.targets.map((t) => t.replace(/:\d+$/, ''))),
    );
    expect(hosts.filter((host) => host !== 'localhost' && !(host in services))).toEqual([]);
    // The compose collector serves /metrics inside the network for the rigbench-collector job.
    expect(services.collector?.environment?.RIGBENCH_COLLECTOR_METRICS_LISTEN).toBe('0.0.0.0:9465');
  });

  test('targets - the shipped files are empty lists; the examples sit outside the patterns Prometheus reads', () => {
    const prometheus = readDeployYaml('prometheus/prometheus.yml') as {
      scrape_configs: Array<{ file_sd_configs?: Array<{ files: string[] }> }>;
    };
    const patterns = prometheus.scrape_configs.flatMap((j) =>
      (j.file_sd_configs ?? []).flatMap((sd) => sd.files),
    );
    expect(patterns.sort()).toEqual([
      'targets/agents*.json',
      'targets/collectors*.json',
      'targets/gpu-exporters*.json',
    ]);
    const targetsDir = join(DEPLOY_DIR, 'prometheus', 'targets');
    for (const pattern of patterns) {
      const file = join(DEPLOY_DIR, 'prometheus', pattern.replace('*', ''));
      expect([pattern, JSON.parse(readFileSync(file, 'utf8'))]).toEqual([pattern, []]);
      const example = join(targetsDir, 'examples', pattern.replace('targets/', '').replace('*', ''));
      const entries = JSON.parse(readFileSync(example, 'utf8')) as Array<{
        targets: string[];
        labels: { node: string };
      }>;
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.every((e) => e.targets.length > 0 && e.labels.node)).toBe(true);
    }
    // `targets/agents*.json` (a glob on file names in targets/) does not reach into targets/examples/.
    expect(patterns.every((p) => !p.includes('/examples'))).toBe(true);
  });

  test('.env.example - names every variable the compose files require', () => {
    const example = readFileSync(join(COMPOSE_DIR, '.env.example'), 'utf8');
    const declared = new Set([...example.matchAll(/^(\w+)=/gm)].map((m) => m[1]));
    const required = COMPOSE_FILES.flatMap(requiredVariables);
    expect(required.length).toBeGreaterThan(2);
    expect(required.filter((name) => !declared.has(name))).toEqual([]);
  });

  test('Dockerfile - node:20-bookworm-slim, npm ci, tsc build; every COPY source exists in the build context', () => {
    const dockerfile = readFileSync(join(COMPOSE_DIR, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim AS build$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/npx tsc -b/);
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((m) => {
      const parts = (m[1] ?? '').trim().split(/\s+/);
      return parts.slice(0, -1);
    });
    expect(sources.length).toBeGreaterThan(5);
    expect(sources.filter((source) => !existsSync(join(REPO_ROOT, source)))).toEqual([]);
    // What the runtime stage copies out of the build stage is what `npm ci && tsc -b` produces here.
    const built = [...dockerfile.matchAll(/^COPY --from=build \/src\/(\S+) /gm)].map((m) => m[1] ?? '');
    expect(built).toEqual(
      expect.arrayContaining(['node_modules', 'apps/agent/dist', 'apps/controller/dist']),
    );
    expect(built.filter((path) => !existsSync(join(REPO_ROOT, path)))).toEqual([]);
    // The agent binary the image runs is the one the workspace declares.
    const agentPackage = JSON.parse(readFileSync(join(REPO_ROOT, 'apps/agent/package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(dockerfile).toContain(`CMD ["apps/agent/${agentPackage.bin['rigbench-agent']}"]`);
  });

  test('nats-cluster.yml - three JetStream servers with their own volumes, routed to each other', () => {
    const compose = readCompose('nats-cluster.yml');
    expect(Object.keys(compose.services).sort()).toEqual(['nats-1', 'nats-2', 'nats-3']);
    const cluster = readFileSync(join(COMPOSE_DIR, 'nats', 'cluster.conf'), 'utf8');
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.environment?.NATS_SERVER_NAME).toBe(name);
      expect(service.volumes).toContain(`${name}-data:/data`);
      expect(service.command).toEqual(['-c', '/etc/nats/cluster.conf']);
      expect(cluster).toContain(`nats-route://${name}:6222`);
    }
    // The replica note names the real config key of the agent and of the controller.
    expect(describeConfigKeys().find((key) => key.key === 'nats.streamReplicas')?.env).toBe(
      'RIGBENCH_AGENT_NATS_STREAM_REPLICAS',
    );
    expect(controllerEnvNames()).toContain('RIGBENCH_NATS_STREAM_REPLICAS');
    const note = readFileSync(join(COMPOSE_DIR, 'nats-cluster.yml'), 'utf8');
    expect(note).toContain('RIGBENCH_AGENT_NATS_STREAM_REPLICAS=3');
    expect(note).toContain('RIGBENCH_NATS_STREAM_REPLICAS=3');
  });
});

describe('deploy/compose - NATS config on a real nats-server', () => {
  test.each(['nats.conf', 'cluster.conf'])('nats-server -t - %s is valid with the passwords set', (file) => {
    const env = {
      ...process.env,
      NATS_SERVER_NAME: 'nats-1',
      NATS_AGENT_PASSWORD: 'x',
      NATS_CONTROLLER_PASSWORD: 'y',
    };
    const result = runTool('nats-server', ['-c', join(COMPOSE_DIR, 'nats', file), '-t'], { env });
    expect(outputOf(result)).toContain('is valid');
    expect(result.status).toBe(0);
    const withoutPasswords = { ...env, NATS_AGENT_PASSWORD: undefined, NATS_CONTROLLER_PASSWORD: undefined };
    const refused = runTool('nats-server', ['-c', join(COMPOSE_DIR, 'nats', file), '-t'], {
      env: withoutPasswords,
    });
    expect(outputOf(refused)).toMatch(/NATS_AGENT_PASSWORD/);
    expect(refused.status).not.toBe(0);
  });

  describe('shipped nats.conf with auth', () => {
    let nats: ShippedNats;
    beforeAll(async () => {
      nats = await startShippedNats();
    });
    afterAll(async () => {
      await nats?.dispose();
    });

    test('auth - a wrong password is refused', async () => {
      await expect(
        connect({ servers: nats.server.url, user: 'agent', pass: 'wrong', reconnect: false }),
      ).rejects.toThrow(/authoriz/i);
    });

    test('agent user - creates the event stream, publishes events and heartbeats, cannot delete the stream', async () => {
      const nc = await connect({
        servers: nats.server.url,
        ...TEST_NATS_USERS.agent,
        pass: TEST_NATS_USERS.agent.password,
      });
      try {
        // What the agent's event publisher does: look the stream up, create it when missing, publish with an id.
        const jsm = await jetstreamManager(nc);
        await expect(jsm.streams.info('RIGBENCH_EVENTS')).rejects.toThrow(/stream not found/i);
        await jsm.streams.add({ name: 'RIGBENCH_EVENTS', subjects: ['rigbench.events.>'] });
        const ack = await jetstream(nc).publish('rigbench.events.gpu-box-1.run-1', '{}', {
          msgID: 'run-1.gpu-box-1.1',
        });
        expect(ack).toMatchObject({ stream: 'RIGBENCH_EVENTS', seq: 1, duplicate: false });
        nc.publish('rigbench.heartbeat.gpu-box-1', '{}');
        await expect(jsm.streams.delete('RIGBENCH_EVENTS')).rejects.toThrow(/permission/i);
      } finally {
        await nc.close();
      }
    });

    test('controller user - reads heartbeats and the stream, creates a durable consumer', async () => {
      const controller = await connect({
        servers: nats.server.url,
        user: TEST_NATS_USERS.controller.user,
        pass: TEST_NATS_USERS.controller.password,
      });
      const agent = await connect({
        servers: nats.server.url,
        user: TEST_NATS_USERS.agent.user,
        pass: TEST_NATS_USERS.agent.password,
      });
      try {
        const heartbeats = controller.subscribe('rigbench.heartbeat.>', { max: 1 });
        await controller.flush();
        agent.publish('rigbench.heartbeat.gpu-box-2', JSON.stringify({ id: 'gpu-box-2' }));
        for await (const message of heartbeats) expect(message.subject).toBe('rigbench.heartbeat.gpu-box-2');
        const jsm = await jetstreamManager(controller);
        const info = await jsm.streams.info('RIGBENCH_EVENTS');
        expect(info.state.messages).toBeGreaterThanOrEqual(1);
        const consumer = await jsm.consumers.add('RIGBENCH_EVENTS', {
          durable_name: 'rigbench-collector',
          ack_policy: AckPolicy.Explicit,
        });
        expect(consumer.name).toBe('rigbench-collector');
      } finally {
        await agent.close();
        await controller.close();
      }
    });
  });
});

describe('deploy/compose/nats/nats-tls.conf - the hardened NATS on a real nats-server', () => {
  let pki: TestPki;
  let nats: ShippedNats;
  beforeAll(async () => {
    pki = new TestPki().selfSigned('ca').leaf('nats', 'ca', 'DNS:localhost,IP:127.0.0.1');
    nats = await startShippedTlsNats(pki.dir);
  });
  afterAll(async () => {
    await nats?.dispose();
  });

  test('TLS - the agent publishes over tls:// trusting the CA; a plain connection is refused', async () => {
    const publisher = new EventPublisher({
      agentId: 'hardened-1',
      nats: {
        servers: [`tls://127.0.0.1:${nats.server.port}`],
        user: TEST_NATS_USERS.agent.user,
        password: TEST_NATS_USERS.agent.password,
        tls: { ca: pki.file('ca.pem') },
      },
      outbox: { dir: pki.file('outbox'), maxBytes: 1 << 20 },
    });
    await publisher.start();
    try {
      for (const event of makeRunEvents('hardened-1', 'run-tls', 5)) await publisher.publish(event);
      expect(await publisher.flush(15_000)).toBe(true);
    } finally {
      await publisher.stop({ timeoutMs: 1_000 });
    }
    await expect(
      connect({
        servers: nats.server.url,
        user: TEST_NATS_USERS.agent.user,
        pass: TEST_NATS_USERS.agent.password,
        tls: null,
        reconnect: false,
        timeout: 3_000,
      }),
    ).rejects.toThrow();
  });
});
