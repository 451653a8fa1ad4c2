import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUBGRAPHS, type Env } from '@polystore/common';
import { STACK_SERVICES } from '@polystore/launcher';
import { freePort } from '@polystore/embedded';
import { composeSupergraph } from '@polystore/gateway/compose';
import { untilAnswering } from '@polystore/testing';
import { startTestStores, type TestStores } from '../../support/stack.js';
import { start, type Started } from '../processes.js';
import { serverName, startHaproxy, type Balanced, type Haproxy } from './haproxy.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

export type ServiceName = 'gateway' | (typeof SUBGRAPHS)[number]['name'];

/** One replica: its own OS process (kill -9 is real), on a port of its own, behind HAProxy. */
export interface Replica {
  service: ServiceName;
  /** Its name in HAProxy (`sql-2`), which the `x-served-by` header and the stats report. */
  name: string;
  port: number;
  /** Its `/metrics` listener (gateways only; the subgraphs' are off). */
  metricsUrl?: string;
  running(): boolean;
  /** Starts the process and resolves once its `/ready` answers 200 (at most 60 s). */
  start(): Promise<void>;
  /** SIGKILL: nothing may clean up. Resolves with the moment of the kill once the process is gone. */
  kill(): Promise<number>;
  stop(): Promise<void>;
}

export interface ReplicaSet {
  /** The GraphQL endpoint clients use: HAProxy's frontend in front of the gateways. */
  url: string;
  /** Each service's GraphQL endpoint on HAProxy (the gateways reach the subgraphs there). */
  frontends: Record<ServiceName, string>;
  replicas: Record<ServiceName, Replica[]>;
  haproxy: Haproxy;
  stores: TestStores;
  dispose(): Promise<void>;
}

/** The service's entry and port variables, as the launcher runs it. */
const stackService = (name: ServiceName) => STACK_SERVICES.find((service) => service.name === name)!;

/**
 * `count` gateways and `count` replicas of each subgraph, each a process of
 * its own (`src/index.ts`, as deployed), behind one HAProxy: clients reach the
 * gateways through its `gateway` frontend, and the gateways (and subgraphs
 * checking references) reach each subgraph through that subgraph's frontend.
 * The stores are the test's own (real PostgreSQL and Redis, embedded MongoDB
 * and S3). Resolves once HAProxy sees every replica UP.
 */
export async function startReplicaSet({
  count = 2,
  env = {},
}: { count?: number; env?: Env } = {}): Promise<ReplicaSet> {
  const dir = await mkdtemp(join(tmpdir(), 'polystore-replicas-'));
  const replicas = {} as Record<ServiceName, Replica[]>;
  let haproxy: Haproxy | undefined;
  let stores: TestStores | undefined;
  const dispose = async () => {
    // Gateways first, so no request reaches a subgraph that is already closing.
    for (const service of ['gateway', ...SUBGRAPHS.map((subgraph) => subgraph.name)] as ServiceName[])
      await Promise.all((replicas[service] ?? []).map((replica) => replica.stop()));
    await haproxy?.process.stop();
    await stores?.dispose();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    stores = await startTestStores(env);
    const balanced: Balanced[] = [];
    for (const name of ['gateway', ...SUBGRAPHS.map((subgraph) => subgraph.name)] as ServiceName[]) {
      const replicaPorts: number[] = [];
      for (let i = 0; i < count; i++) replicaPorts.push(await freePort());
      balanced.push({ name, frontendPort: await freePort(), replicaPorts });
    }
    const frontend = (name: ServiceName) =>
      `http://127.0.0.1:${balanced.find((service) => service.name === name)!.frontendPort}`;
    const subgraphUrls = Object.fromEntries(
      SUBGRAPHS.map((subgraph) => [subgraph.name, `${frontend(subgraph.name)}/graphql`]),
    ) as Record<Exclude<ServiceName, 'gateway'>, string>;
    const supergraph = join(dir, 'supergraph.graphql');
    await writeFile(supergraph, composeSupergraph(subgraphUrls));
    haproxy = await startHaproxy(dir, balanced);

    const shared: Env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_OPTIONS: '',
      LOG_LEVEL: 'warn',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...stores.env,
      ...Object.fromEntries(SUBGRAPHS.map((subgraph) => [subgraph.urlVariable, subgraphUrls[subgraph.name]])),
      SUPERGRAPH_PATH: supergraph,
      SUPERGRAPH_POLL_MS: '0',
      ...env,
    };
    for (const { name, replicaPorts } of balanced) {
      const service = name as ServiceName;
      replicas[service] = [];
      for (const [index, port] of replicaPorts.entries()) {
        const metricsPort = service === 'gateway' ? await freePort() : 0;
        const { portVariable, metricsPortVariable: metricsVariable } = stackService(service);
        replicas[service].push(
          replica(service, index, port, metricsPort, {
            ...shared,
            // Each service as its own Redis user, restricted as in production.
            REDIS_URL: stores.redis.serviceUrls[service],
            [portVariable]: String(port),
            [metricsVariable]: String(metricsPort),
          }),
        );
      }
    }
    // The first sql-subgraph migrates the database alone; the rest start together, the gateways last.
    await replicas.sql[0]!.start();
    await Promise.all(
      SUBGRAPHS.flatMap((subgraph) => replicas[subgraph.name].filter((one) => one.running() === false)).map((one) =>
        one.start(),
      ),
    );
    await Promise.all(replicas.gateway.map((one) => one.start()));
    await haproxy.allUp();
    const frontends = Object.fromEntries(
      balanced.map(({ name }) => [name, `${frontend(name as ServiceName)}/graphql`]),
    ) as Record<ServiceName, string>;
    return { url: frontends.gateway, frontends, replicas, haproxy, stores, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

function replica(service: ServiceName, index: number, port: number, metricsPort: number, env: Env): Replica {
  let process_: Started | undefined;
  const running = () =>
    process_ !== undefined && process_.child.exitCode === null && process_.child.signalCode === null;
  return {
    service,
    name: serverName(service, index),
    port,
    ...(metricsPort ? { metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` } : {}),
    running,
    async start() {
      const started = start(process.execPath, ['--import', 'tsx', stackService(service).entry], { cwd: root, env });
      process_ = started;
      const exited = new Promise<never>((_, reject) =>
        started.child.once('close', (code, signal) =>
          reject(
            new Error(`${serverName(service, index)} exited (${code ?? signal}): ${started.output().slice(-2_000)}`),
          ),
        ),
      );
      exited.catch(() => undefined);
      await Promise.race([untilAnswering(`http://127.0.0.1:${port}/ready`, 60_000), exited]);
    },
    async kill() {
      const killedAt = Date.now();
      await process_?.kill();
      return killedAt;
    },
    async stop() {
      await process_?.stop();
    },
  };
}
