import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal) when the process ends, for whatever reason. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** SIGTERM, then SIGKILL after `timeoutMs` if the process has not finished its teardown. */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * Runs one service's `src/index.ts` as its own Node process, sharing this
 * terminal. With `watch`, Node restarts the service when a file it loaded changes.
 */
export function spawnService(name: string, entry: string, env: NodeJS.ProcessEnv, watch = false): ServiceProcess {
  const child = spawn(process.execPath, [...(watch ? ['--watch'] : []), '--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env,
    // Own process group: Ctrl-C reaches the launcher only, which stops services in order.
    detached: true,
    // The IPC channel closes if the launcher dies, and the service then shuts itself down.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return serviceProcess(name, child);
}

/** A child process as the launcher manages it: when it exits, and a stop that waits for its teardown. */
export function serviceProcess(name: string, child: ChildProcess): ServiceProcess {
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal));
    child.once('error', () => resolve(null));
  });
  return {
    name,
    child,
    exited,
    async stop(timeoutMs) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls a `/ready` URL until it answers 200. Fails at once if the process
 * exits, and after `timeoutMs` otherwise, so a broken service never leaves
 * `npm start` waiting forever.
 */
export async function waitUntilReady(
  url: string,
  service: ServiceProcess | undefined,
  signal?: AbortSignal,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | NodeJS.Signals | null | undefined;
  void service?.exited.then((code) => (exitCode = code));
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (exitCode !== undefined) throw new Error(`${service!.name} exited (${String(exitCode)}) before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      // Read the body now: an unread body is aborted by the timeout later, as an unhandled error.
      const body = await response.text();
      if (response.ok) return;
      lastError = `${response.status} ${body}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} was not ready after ${timeoutMs} ms: ${lastError}`);
}
