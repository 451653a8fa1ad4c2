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
