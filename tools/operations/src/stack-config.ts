import { loadConfig, readStackState, type Config } from '@polystore/common';

/**
 * The config of the stores an operators' tool works on: those of a stack
 * started by `npm start` in the same DATA_DIR (its `stack.json`), else the
 * configured ones.
 */
export async function storesConfig(): Promise<Config> {
  const config = loadConfig();
  const state = await readStackState(config.dataDir);
  return state ? loadConfig({ ...process.env, ...state.env }) : config;
}

/**
 * Why a restore must not start now: the `npm start` of this DATA_DIR runs its
 * services, which would write while the stores are replaced. Undefined when it
 * runs its stores only (`--stores-only`), or no stack runs here.
 */
export async function servicesOfStackRunning(): Promise<string | undefined> {
  const state = await readStackState(loadConfig().dataDir);
  if (!state?.gatewayUrl) return undefined;
  return (
    `the stack of this DATA_DIR runs its services (pid ${state.pid}, ${state.gatewayUrl}), which would write ` +
    'during the restore: stop it (Ctrl-C), start its stores alone with npm start -- --stores-only, and restore then'
  );
}
