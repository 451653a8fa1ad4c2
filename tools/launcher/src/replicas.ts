import { join } from 'node:path';
import type { Config, Logger, RedisService } from '@polystore/common';
import { freePort } from '@polystore/embedded';
import { serverName, startHaproxy, type Balanced } from './balancer.js';
import { spawnService, waitUntilReady, type ServiceProcess } from './processes.js';
import { STACK_SERVICES, type StackService } from './services.js';

/** The most replicas of each service `--replicas` starts on one machine. */
export const MAX_REPLICAS = 8;

export interface StartedServices {
  /** Resolves, with why, when a service has no replica left (or the balancer died): the stack is then broken. */
  down: Promise<string>;
}

/**
 * Each subgraph, then the gateway, as `count` processes each. One replica
 * listens on the configured ports itself; with more, HAProxy listens there and
 * balances replicas on free ports (checked on `/ready`), so clients, the
 * gateways and subgraphs checking references reach every service where they
 * always do. Only the first replica of each service keeps its metrics listener.
 */
export async function startServices({
  config,
  count,
  envOf,
  watch,
  signal,
  log,
  processes,
}: {
  config: Config;
  count: number;
  envOf: (service: RedisService) => NodeJS.ProcessEnv;
  watch: boolean;
  signal?: AbortSignal;
  log: Logger;
  /** Filled as processes start (HAProxy, subgraphs, gateways), so a failed start stops what had started; stop in reverse. */
  processes: ServiceProcess[];
}): Promise<StartedServices> {
  const ports = new Map<RedisService, number[]>();
  for (const kind of STACK_SERVICES) {
    const own = count === 1 ? [config.ports[kind.name]] : [];
    while (own.length < count) own.push(await freePort());
    ports.set(kind.name, own);
  }
  let haproxy: ServiceProcess | undefined;
  if (count > 1) {
    const balanced: Balanced[] = STACK_SERVICES.map(({ name }) => ({
      name,
      frontendPort: config.ports[name],
      replicaPorts: ports.get(name)!,
    }));
    haproxy = await startHaproxy(join(config.dataDir, 'balancer'), balanced);
    processes.push(haproxy);
  }

  const replicasOf: { service: string; replicas: ServiceProcess[] }[] = [];
  const start = (kind: StackService) => {
    const started = ports.get(kind.name)!.map((port, i) => {
      const env = {
        ...envOf(kind.name),
        ...(count > 1
          ? { [kind.portVariable]: String(port), ...(i > 0 ? { [kind.metricsPortVariable]: '0' } : {}) }
          : {}),
      };
      const name = count > 1 ? serverName(kind.service, i) : kind.service;
      return { process: spawnService(name, kind.entry, env, watch), port };
    });
    const replicas = started.map(({ process }) => process);
    processes.push(...replicas);
    replicasOf.push({ service: kind.service, replicas });
    return Promise.all(
      started.map(({ process, port }) => waitUntilReady(`http://127.0.0.1:${port}/ready`, process, signal)),
    );
  };
  // The subgraphs together (migrations take a lock), then the gateways, which compose from them.
  await Promise.all(STACK_SERVICES.filter(({ name }) => name !== 'gateway').map(start));
  await start(STACK_SERVICES.find(({ name }) => name === 'gateway')!);
  if (count > 1) await waitUntilReady(`http://127.0.0.1:${config.ports.gateway}/ready`, undefined, signal);

  const down = Promise.race([
    ...replicasOf.map(async ({ service, replicas }) => {
      const codes = await Promise.all(
        replicas.map(async (replica) => {
          const code = await replica.exited;
          if (count > 1) log.warn({ replica: replica.name, code }, 'a replica exited; the others serve');
          return code;
        }),
      );
      return count === 1 ? `${service} exited (${String(codes[0])})` : `every replica of ${service} exited`;
    }),
    ...(haproxy ? [haproxy.exited.then((code) => `HAProxy exited (${String(code)})`)] : []),
  ]);
  return { down };
}
