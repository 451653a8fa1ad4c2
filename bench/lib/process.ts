import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What the bench can read of a process it measures, by pid, from /proc. */
export interface Measured {
  /** CPU seconds (user + system) used so far. */
  cpuSeconds(): number;
  /** Peak resident memory so far, MiB (VmHWM). */
  peakRssMiB(): number;
  /** Current resident memory, MiB (VmRSS). */
  rssMiB(): number;
}

/** A component the bench started in a process of its own. */
export interface Component extends Measured {
  name: string;
  child: ChildProcess;
  /** What it sent when ready (usually `{ url }` or `{ urls }`). */
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

export class ComponentError extends Error {
  override name = 'ComponentError';
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

function procStatus(pid: number, field: string): number {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return match ? Number(match[1]) / 1024 : NaN;
}

export function measured(pid: number): Measured {
  return {
    cpuSeconds() {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // After "pid (comm) ": utime is field 14, stime 15 (1-based), i.e. 11 and 12 here.
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    },
    peakRssMiB: () => procStatus(pid, 'VmHWM'),
    rssMiB: () => procStatus(pid, 'VmRSS'),
  };
}

/** The process listening on a port of 127.0.0.1 (a server the launcher started, say). */
export function listeningProcess(port: number | string): Measured & { pid: number } {
  const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  const match = out.match(/pid=(\d+)/);
  if (!match) throw new ComponentError(`no process listens on port ${port}`);
  const pid = Number(match[1]);
  return { pid, ...measured(pid) };
}

/**
 * Forks `script` (TypeScript, through tsx) and waits for it to send a ready
 * message. A child that exits or stays silent past `timeoutMs` is named in
 * the error, so `npm run bench` says which component could not start.
 */
export function startComponent(
  name: string,
  script: URL,
  args: string[] = [],
  { timeoutMs = 60_000, execArgv = [] as string[], env = process.env } = {},
): Promise<Component> {
  const child = fork(script.pathname, args, {
    execArgv: ['--openssl-legacy-provider', '--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ComponentError(`${name} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new ComponentError(`${name} could not start (exit ${code ?? signal})`));
    });
    child.once('message', (ready: Record<string, unknown>) => {
      clearTimeout(timer);
      resolve({
        name,
        child,
        ready,
        // A component that runs the measured server in a process of its own names its pid.
        ...measured(typeof ready.pid === 'number' ? ready.pid : child.pid!),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.removeAllListeners('exit');
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
