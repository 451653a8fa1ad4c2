import { spawn, type SpawnOptions } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** A store server running as its own operating-system process. */
export interface ServerProcess {
  pid: number;
  /** Resolves with the exit code or signal when the process ends, for whatever reason (a crash, `kill -9`, `stop`). */
  exited: Promise<string>;
  /** Signals the server and waits for it to exit; SIGKILL after `timeoutMs`. */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

export interface SpawnServerOptions {
  command: string;
  args: string[];
  /** The server's stdout and stderr are appended here; its last lines explain a failed start. */
  logFile: string;
  /** Resolves once the server answers; called until it does or `startTimeoutMs` passes. */
  ready(): Promise<unknown>;
  startTimeoutMs?: number;
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a server in its own process group, so the Ctrl-C that reaches the
 * launcher's terminal does not stop a store before the services that use it
 * have drained; the launcher stops it last. A failed start carries the tail of
 * the server's log.
 */
export async function spawnServer({
  command,
  args,
  logFile,
  ready,
  startTimeoutMs = 30_000,
  uid,
  gid,
  env = process.env,
}: SpawnServerOptions): Promise<ServerProcess> {
  const log = await open(logFile, 'a');
  // Only this start's lines explain its failure.
  const logStart = (await log.stat()).size;
  const options: SpawnOptions = { detached: true, stdio: ['ignore', log.fd, log.fd], env, uid, gid };
  const child = spawn(command, args, options);
  await log.close();
  let exitCode: number | string | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? signal;
      resolve();
    });
    child.once('error', (err) => {
      exitCode = err.message;
      resolve();
    });
  });

  const stop = async (signal: NodeJS.Signals, timeoutMs = 15_000) => {
    if (exitCode !== undefined) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exitCode !== undefined) {
      throw new ServerStartError(`${command} exited (${String(exitCode)}) during start`, await tail(logFile, logStart));
    }
    try {
      await ready();
      return { pid: child.pid!, exited: exited.then(() => String(exitCode)), stop };
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new ServerStartError(
        `${command} did not answer within ${startTimeoutMs} ms`,
        await tail(logFile, logStart),
      );
    }
    await sleep(100);
  }
}

export class ServerStartError extends Error {
  constructor(
    message: string,
    /** The last lines the server wrote. */
    readonly serverLog: string,
  ) {
    super(serverLog ? `${message}:\n${serverLog}` : message);
  }
}

async function tail(file: string, from: number, lines = 12): Promise<string> {
  const text = (await readFile(file).catch(() => Buffer.alloc(0))).subarray(from).toString('utf8');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** True while a process with this id exists (it may belong to another user). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops a server that an earlier launcher left running (it was killed before
 * it could stop its stores), so its data folder can be opened again. The
 * process must still be that server: a recycled pid is left alone.
 */
export async function stopLeftover(
  pid: number,
  program: string,
  signal: NodeJS.Signals,
  timeoutMs = 15_000,
): Promise<boolean> {
  if (!isRunning(pid)) return false;
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (commandLine !== undefined && !commandLine.includes(program)) return false;
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
    await sleep(100);
  }
  return true;
}
