import type { Logger } from './logger.js';

type Closer = () => Promise<void> | void;

/**
 * Resources register their close as they are created; `close()` runs them in
 * reverse order (last opened, first closed), each bounded by the shared
 * deadline so a stuck store cannot hold the process forever.
 */
export class Teardown {
  private readonly closers: { name: string; close: Closer }[] = [];
  private closing: Promise<void> | undefined;
  private failed = false;

  /** True once a close failed or ran out of time: the shutdown was not clean. */
  get hadFailures(): boolean {
    return this.failed;
  }

  constructor(private readonly log?: Logger) {}

  add(name: string, close: Closer): void {
    this.closers.push({ name, close });
  }

  close(timeoutMs = 10_000): Promise<void> {
    this.closing ??= this.runAll(timeoutMs);
    return this.closing;
  }

  private async runAll(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.closers.length > 0) {
      const { name, close } = this.closers.pop()!;
      const remaining = Math.max(deadline - Date.now(), 1);
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(close),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${remaining} ms`)), remaining);
          }),
        ]);
        this.log?.debug({ resource: name }, 'closed');
      } catch (err) {
        this.failed = true;
        this.log?.warn({ resource: name, err }, 'close failed');
      } finally {
        clearTimeout(timer);
      }
    }
  }
}

/**
 * SIGTERM/SIGINT run the teardown once, then exit; a second signal exits at
 * once. A process started with an IPC channel (by `npm start`) also shuts
 * down when its parent goes away, so no service outlives the launcher.
 */
export function installSignalHandlers(teardown: Teardown, log: Logger, timeoutMs: number): void {
  let stopping = false;
  const shutdown = (reason: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ reason }, 'shutting down');
    // Exit 1 when something could not close in time, so supervisors see an unclean stop.
    teardown.close(timeoutMs).then(
      () => process.exit(teardown.hadFailures ? 1 : 0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (process.send) process.once('disconnect', () => shutdown('parent process exited'));
}
