import { loadConfig, removeStackState, writeStackState, type Env, type Logger } from '@polystore/common';
import { checkNothingRunsThere } from './stack.js';
import { startMissingStores } from './stores.js';

export interface RunningStores {
  /** Resolves, with why, when an embedded store died and could not be started again. */
  failed: Promise<string>;
  stop(): Promise<void>;
}

/**
 * `npm start -- --stores-only`: the embedded stores of DATA_DIR and no
 * service, published in `stack.json` like a whole stack's, so that
 * `npm run restore` (and backups, the consistency checker) work on them
 * while nothing else writes: a restore must not race the services.
 */
export async function startStoresOnly({
  env = process.env,
  log,
  signal,
}: {
  env?: Env;
  log: Logger;
  signal?: AbortSignal;
}): Promise<RunningStores> {
  const config = loadConfig(env);
  await checkNothingRunsThere(config);
  const stores = await startMissingStores(config, log, signal);
  try {
    signal?.throwIfAborted();
    await writeStackState(config.dataDir, { pid: process.pid, env: stores.env });
  } catch (err) {
    await stores.stop();
    throw err;
  }
  return {
    failed: stores.failed,
    stop: async () => {
      await stores.stop();
      await removeStackState(config.dataDir);
    },
  };
}
