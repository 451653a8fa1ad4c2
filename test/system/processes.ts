import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The child processes of a system run, each in its own process group so that
 * whatever it starts goes with it. Every process is registered as it starts,
 * and `killAll` (run on exit, on SIGINT/SIGTERM, and after each suite) ends
 * them all: nothing outlives the run.
 */
const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL') {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export function killAll(): void {
  for (const child of running) killGroup(child);
  running.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

export interface Started {
  child: ChildProcess;
  /** Everything it wrote so far (stdout and stderr), for failure reports. */
  output(): string;
  /** Ends it and whatever it started, and waits for its exit (at most 5 s). */
  stop(): Promise<void>;
  /** SIGKILL to it and whatever it started (a crash: nothing may clean up), and waits for its exit. */
  kill(): Promise<void>;
}

/** Where and as whom a process runs (`uid`/`gid`: a server that refuses root, such as PostgreSQL). */
export interface StartOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

/** Starts `command` in its own process group, registered for `killAll`. */
export function start(command: string, args: string[], options: StartOptions): Started {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const chunks: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    child,
    output: () => chunks.join(''),
    async stop() {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child), 5_000);
      await exited;
      clearTimeout(timer);
      running.delete(child);
    },
    async kill() {
      killGroup(child);
      await exited;
      running.delete(child);
    },
  };
}

/** Runs `command` to its end, killed after `timeoutMs`; resolves with its output and exit code (null: killed). */
export async function run(
  command: string,
  args: string[],
  options: StartOptions & { timeoutMs: number },
): Promise<{ output: string; code: number | null; timedOut: boolean }> {
  const started = start(command, args, options);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(started.child);
  }, options.timeoutMs);
  const code = await new Promise<number | null>((resolve) => started.child.once('close', (exit) => resolve(exit)));
  clearTimeout(timer);
  running.delete(started.child);
  return { output: started.output(), code, timedOut };
}
