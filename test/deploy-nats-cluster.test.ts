import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TEST_NATS_USERS,
  startAgentBinary,
  startShippedNatsCluster,
  type AgentProcess,
  type ShippedNatsCluster,
} from './deploy-helpers.js';
import { eventually } from './support/eventually.js';

/**
 * The three-node NATS example (deploy/compose/nats-cluster.yml, nats/cluster.conf) as three local nats-server
 * processes, and the real agent binary creating its event stream there with `nats.streamReplicas: 3`, as the
 * compose file's note tells a user to configure it.
 */
describe('deploy/compose - three-node NATS cluster with a replicated event stream', () => {
  let cluster: ShippedNatsCluster;
  let work: string;
  let agent: AgentProcess | undefined;
  let controller: NatsConnection;

  beforeAll(async () => {
    cluster = await startShippedNatsCluster();
    work = mkdtempSync(join(tmpdir(), 'rigbench-cluster-agent-'));
    controller = await connect({
      servers: cluster.urls.split(','),
      user: TEST_NATS_USERS.controller.user,
      pass: TEST_NATS_USERS.controller.password,
    });
  });

  afterAll(async () => {
    await agent?.stop();
    await controller?.close();
    await cluster?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('cluster.conf - the three members form one cluster with a JetStream meta leader', async () => {
    // jetstreamManager() asks for the account info, which times out until the meta leader is elected.
    const info = await eventually(
      async () => {
        const account = await (await jetstreamManager(controller, { timeout: 2_000 })).getAccountInfo();
        return account ? account : false;
      },
      { timeoutMs: 30_000, description: 'JetStream answers on the cluster (meta leader elected)' },
    );
    expect(info).toBeDefined();
  });

  test('agent - nats.streamReplicas=3 creates RIGBENCH_EVENTS with three replicas on the cluster', async () => {
    const models = join(work, 'models');
    mkdirSync(models);
    agent = await startAgentBinary(
      [
        '--id',
        'cluster-agent',
        '--listen',
        '127.0.0.1:0',
        '--metrics-listen',
        '127.0.0.1:0',
        '--models-dir',
        models,
        '--outbox-dir',
        join(work, 'outbox'),
        '--nats-servers',
        cluster.urls,
        '--nats-user',
        TEST_NATS_USERS.agent.user,
        '--nats-password',
        TEST_NATS_USERS.agent.password,
        '--nats-stream-replicas',
        '3',
        '--log-level',
        'warn',
      ],
      work,
    );
    const jsm = await jetstreamManager(controller);
    const stream = await eventually(
      async () => {
        const info = await jsm.streams.info('RIGBENCH_EVENTS');
        // Leader and followers are reported once the stream's raft group has formed.
        return info.cluster?.leader && info.cluster.replicas?.length === 2 ? info : false;
      },
      { timeoutMs: 30_000, description: 'the agent created RIGBENCH_EVENTS with a leader and two followers' },
    );
    expect(stream.config.num_replicas).toBe(3);
    // A leader and two followers, on three different servers.
    const members = [
      stream.cluster?.leader,
      ...(stream.cluster?.replicas ?? []).map((replica) => replica.name),
    ];
    expect(new Set(members)).toEqual(new Set(['nats-1', 'nats-2', 'nats-3']));
  });
});
