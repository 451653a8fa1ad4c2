import { randomUUID } from 'node:crypto';
import {
  graphqlRequest,
  loadConfig,
  readStackState,
  removeStackState,
  SUBGRAPHS,
  type Config,
  type Env,
  type Logger,
  type RedisService,
  writeStackState,
} from '@polystore/common';
import { isPortFree } from '@polystore/embedded';
import type { ServiceProcess } from './processes.js';
import { haproxyInstalled } from './balancer.js';
import { MAX_REPLICAS, startServices } from './replicas.js';
import { STACK_SERVICES } from './services.js';
import { seed, storesAreEmpty } from './seed.js';
import { startMissingStores } from './stores.js';
import { adminToken, developmentAuthEnv, developmentToken } from './tokens.js';

/** A start-up that cannot go on for a reason the user can fix; the message says how. */
export class StackStartError extends Error {}

export interface RunningStack {
  gatewayUrl: string;
  /** The gateway's `/metrics`, for operators (its own listener); absent with METRICS_ENABLED=false or port 0. */
  metricsUrl?: string;
  /** Where the services reach the stores started here (DATABASE_URL, REDIS_URL, …). */
  storeEnv: Record<string, string>;
  /** Tokens to try the API with (printed by `npm start`); absent when tokens come from an identity provider. */
  tokens: { user?: string; admin?: string };
  /** The service processes (`sql-subgraph`, or `sql-subgraph-1`, … with replicas) and HAProxy, by name. */
  processes: { name: string; pid: number | undefined }[];
  /** Resolves when a service has no process left (or a store or the balancer died): the stack is then broken. */
  failed: Promise<string>;
  stop(): Promise<void>;
}

/**
 * Runs the whole stack on this machine: embedded stores for whatever has no
 * URL, each subgraph and the gateway in its own process, waits until every
 * one is ready, and loads demo data into empty stores.
 */
export async function startStack({
  env = process.env,
  log,
  watch = false,
  replicas = 1,
  signal,
}: {
  env?: Env;
  log: Logger;
  /** Restart a service when its sources change (`npm run dev`). */
  watch?: boolean;
  /** Processes of each service; above one, HAProxy balances them on the configured ports (`--replicas`). */
  replicas?: number;
  /** Aborting it (Ctrl-C during start-up) stops whatever had started, and the start fails. */
  signal?: AbortSignal;
}): Promise<RunningStack> {
  const config = loadConfig(env);
  await checkNothingRunsThere(config);
  await checkReplicas(replicas);
  const stores = await startMissingStores(config, log, signal);
  const processes: ServiceProcess[] = [];
  const stop = async () => {
    // Gateway first, so no request reaches a subgraph that is already closing.
    for (const service of [...processes].reverse()) await service.stop(config.shutdownTimeoutMs);
    await stores.stop();
    await removeStackState(config.dataDir);
  };

  try {
    // The pinned AWS SDK supports Node 20; its notice about future releases is noise here.
    const local = (port: number) => `http://127.0.0.1:${port}`;
    const authEnv = developmentAuthEnv({ ...process.env, ...env });
    const serviceEnv = {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...process.env,
      ...env,
      ...stores.env,
      ...authEnv,
      // The gateway and the subgraphs (for reference checks) reach each subgraph on its port here.
      ...Object.fromEntries(
        SUBGRAPHS.map((subgraph) => [subgraph.urlVariable, `${local(config.ports[subgraph.name])}/graphql`]),
      ),
    };
    // With the private Redis each service connects as its own ACL user.
    const envOf = (service: RedisService) =>
      stores.redisUrls ? { ...serviceEnv, REDIS_URL: stores.redisUrls[service] } : serviceEnv;
    const services = await startServices({ config, count: replicas, envOf, watch, signal, log, processes });
    const gatewayUrl = `${local(config.ports.gateway)}/graphql`;

    const stateEnv = { ...stores.env, ...authEnv };
    await writeStackState(config.dataDir, { pid: process.pid, gatewayUrl, env: stateEnv });
    const running = loadConfig({ ...process.env, ...env, ...stateEnv });
    if (config.seedOnStart && (await storesAreEmpty(gatewayUrl))) {
      signal?.throwIfAborted();
      await seed({ gatewayUrl, config: running, log });
    }
    const tokens = {
      admin: adminToken(running),
      user: developmentToken(running, { sub: (await firstUserId(gatewayUrl, adminToken(running))) ?? randomUUID() }),
    };
    signal?.throwIfAborted();
    const failed = Promise.race([services.down, stores.failed]);
    const { enabled, host, ports } = config.metrics;
    const metricsUrl =
      enabled && ports.gateway !== 0
        ? `http://${host.includes(':') ? `[${host}]` : host}:${ports.gateway}/metrics`
        : undefined;
    const started = processes.map(({ name, child }) => ({ name, pid: child.pid }));
    return { gatewayUrl, metricsUrl, storeEnv: stores.env, tokens, processes: started, failed, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The first demo user's id, so the printed user token can place orders and read them back. */
async function firstUserId(gatewayUrl: string, token: string | undefined): Promise<string | undefined> {
  const result = await graphqlRequest<{ users?: { edges: { node: { id: string } }[] } }>(
    gatewayUrl,
    '{ users(first: 1) { edges { node { id } } } }',
    {},
    { timeoutMs: 10_000, headers: token ? { authorization: `Bearer ${token}` } : {} },
  ).catch(() => undefined);
  return result?.data?.users?.edges[0]?.node.id;
}

/** Every port the services will listen on: clients' and, unless turned off, the metrics listeners'. */
const listenPorts = (config: Config) =>
  STACK_SERVICES.flatMap(({ name, portVariable, metricsPortVariable }) => [
    { port: config.ports[name], host: config.host, variable: portVariable },
    ...(config.metrics.enabled && config.metrics.ports[name] !== 0
      ? [{ port: config.metrics.ports[name], host: config.metrics.host, variable: metricsPortVariable }]
      : []),
  ]);

/** Refuses a replica count it cannot run: out of range, or several without HAProxy to balance them. */
async function checkReplicas(replicas: number): Promise<void> {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS)
    throw new StackStartError(`--replicas must be a whole number from 1 to ${MAX_REPLICAS}, got ${replicas}`);
  if (replicas > 1 && !(await haproxyInstalled()))
    throw new StackStartError(
      '--replicas needs HAProxy to balance the replicas, and `haproxy` is not on PATH ' +
        '(Debian and Ubuntu: apt-get install haproxy); or start without --replicas',
    );
}

/** Refuses to start over another stack on the same data, or on ports something else holds. */
export async function checkNothingRunsThere(config: Config): Promise<void> {
  const running = await readStackState(config.dataDir);
  if (running) {
    throw new StackStartError(
      `a stack is already running on ${config.dataDir} (pid ${running.pid}, ${running.gatewayUrl ?? 'its stores only'}); ` +
        'stop it first, or set DATA_DIR to another folder',
    );
  }
  for (const { port, host, variable } of listenPorts(config)) {
    if (!(await isPortFree(port, host))) {
      throw new StackStartError(
        `port ${port} on ${host} (${variable}) is already in use: stop what listens there, ` +
          `or set ${variable} to a free port`,
      );
    }
  }
}
