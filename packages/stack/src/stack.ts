import { loadConfig, type Env, type Logger } from '@polystore/common';
import { spawnService, waitUntilReady, type ServiceProcess } from './processes.js';
import { seed, storesAreEmpty } from './seed.js';
import { removeStackState, writeStackState } from './state.js';
import { startMissingStores } from './stores.js';

export interface RunningStack {
  gatewayUrl: string;
  /** Resolves when any service exits on its own: the stack is then broken. */
  failed: Promise<string>;
  stop(): Promise<void>;
}

const SUBGRAPHS = [
  { name: 'sql-subgraph', entry: 'services/sql-subgraph/src/index.ts', port: 'sql' },
  { name: 'mongo-subgraph', entry: 'services/mongo-subgraph/src/index.ts', port: 'mongo' },
  { name: 'storage-subgraph', entry: 'services/storage-subgraph/src/index.ts', port: 'storage' },
] as const;

/**
 * Runs the whole stack on this machine: embedded stores for whatever has no
 * URL, each subgraph and the gateway in its own process, waits until every
 * one is ready, and loads demo data into empty stores.
 */
export async function startStack({
  env = process.env,
  log,
  watch = false,
}: {
  env?: Env;
  log: Logger;
  /** Restart a service when its sources change (`npm run dev`). */
  watch?: boolean;
}): Promise<RunningStack> {
  const config = loadConfig(env);
  const stores = await startMissingStores(config, log);
  const processes: ServiceProcess[] = [];
  const stop = async () => {
    // Gateway first, so no request reaches a subgraph that is already closing.
    for (const service of [...processes].reverse()) await service.stop(config.shutdownTimeoutMs);
    await stores.stop();
    await removeStackState(config.dataDir);
  };

  try {
    // The pinned AWS SDK supports Node 20; its notice about future releases is noise here.
    const serviceEnv = {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...process.env,
      ...env,
      ...stores.env,
    };
    const local = (port: number) => `http://127.0.0.1:${port}`;
    for (const subgraph of SUBGRAPHS) processes.push(spawnService(subgraph.name, subgraph.entry, serviceEnv, watch));
    await Promise.all(
      SUBGRAPHS.map((subgraph, i) => waitUntilReady(`${local(config.ports[subgraph.port])}/ready`, processes[i])),
    );

    const gateway = spawnService(
      'gateway',
      'gateway/src/index.ts',
      {
        ...serviceEnv,
        SQL_SUBGRAPH_URL: `${local(config.ports.sql)}/graphql`,
        MONGO_SUBGRAPH_URL: `${local(config.ports.mongo)}/graphql`,
        STORAGE_SUBGRAPH_URL: `${local(config.ports.storage)}/graphql`,
      },
      watch,
    );
    processes.push(gateway);
    await waitUntilReady(`${local(config.ports.gateway)}/ready`, gateway);
    const gatewayUrl = `${local(config.ports.gateway)}/graphql`;

    await writeStackState(config.dataDir, { pid: process.pid, gatewayUrl, env: stores.env });
    if (config.seedOnStart && (await storesAreEmpty(gatewayUrl))) {
      await seed({ gatewayUrl, config: loadConfig({ ...env, ...stores.env }), log });
    }
    const failed = Promise.race(
      processes.map((service) => service.exited.then((code) => `${service.name} exited (${String(code)})`)),
    );
    return { gatewayUrl, failed, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
