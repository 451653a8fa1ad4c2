import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * What a running `npm start` publishes in DATA_DIR/stack.json for the tools run
 * beside it (`npm run seed`, `npm run check-consistency`, backups and
 * restores): its pid, the gateway, and the variables that reach its embedded stores.
 */
export interface StackState {
  pid: number;
  /** Absent when only the stores run (`npm start -- --stores-only`): no service answers. */
  gatewayUrl?: string;
  env: Record<string, string>;
}

const stateFile = (dataDir: string) => join(resolve(dataDir), 'stack.json');

export async function writeStackState(dataDir: string, state: StackState): Promise<void> {
  await mkdir(resolve(dataDir), { recursive: true });
  await writeFile(stateFile(dataDir), JSON.stringify(state, null, 2));
}

export async function readStackState(dataDir: string): Promise<StackState | undefined> {
  try {
    const state = JSON.parse(await readFile(stateFile(dataDir), 'utf8')) as StackState;
    process.kill(state.pid, 0); // throws when that stack is no longer running
    return state;
  } catch {
    return undefined;
  }
}

export async function removeStackState(dataDir: string): Promise<void> {
  await rm(stateFile(dataDir), { force: true });
}
