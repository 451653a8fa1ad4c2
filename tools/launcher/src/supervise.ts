import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@polystore/common';
import type { EmbeddedStore } from '@polystore/embedded';

export interface SuperviseOptions {
  /** Start attempts after one death before giving up. Default 5. */
  maxAttempts?: number;
  /** Wait before the first attempt, doubled after each failed one (at most 8 s). Default 250 ms. */
  firstDelayMs?: number;
  /** Restarts allowed within `windowMs`; one more means the server cannot stay up. Default 5 in 10 minutes. */
  maxRestarts?: number;
  windowMs?: number;
}

export interface SupervisedStore extends EmbeddedStore {
  /** Resolves, with why, when the server died and could not be brought back: the stack is then broken. */
  gaveUp: Promise<string>;
}

const MAX_DELAY_MS = 8_000;

/**
 * Watches an embedded store that runs in a process of its own and starts it
 * again (same port and folder, so every service finds it where it was) when
 * that process dies: a `kill -9`, the OOM killer, a crash. Attempts back off
 * and are bounded, and so are restarts within a window, so a server that
 * cannot stay up ends the stack with a reason rather than looping. Each death
 * and each restart is logged. The services reconnect by themselves (pg pools
 * open new connections, ioredis reconnects and re-subscribes, consumers retry).
 * A store in the launcher's own process (MongoDB, S3) has nothing to watch: it
 * dies only with the launcher.
 */
export function superviseStore(
  name: string,
  first: EmbeddedStore,
  start: () => Promise<EmbeddedStore>,
  log: Logger,
  { maxAttempts = 5, firstDelayMs = 250, maxRestarts = 5, windowMs = 600_000 }: SuperviseOptions = {},
): SupervisedStore {
  let current = first;
  const stopping = new AbortController();
  let restarting: Promise<void> = Promise.resolve();
  const restarts: number[] = [];
  let giveUp!: (reason: string) => void;
  const gaveUp = new Promise<string>((resolve) => (giveUp = resolve));

  const restart = async (exit: string) => {
    const now = Date.now();
    while (restarts.length > 0 && restarts[0]! < now - windowMs) restarts.shift();
    if (restarts.length >= maxRestarts) {
      log.error({ store: name, exit, restarts: restarts.length }, `embedded ${name} keeps dying; not restarting it`);
      giveUp(`embedded ${name} died ${restarts.length + 1} times within ${windowMs / 1000} s`);
      return;
    }
    restarts.push(now);
    log.warn({ store: name, exit }, `embedded ${name} exited; restarting it`);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        await sleep(Math.min(firstDelayMs * 2 ** (attempt - 1), MAX_DELAY_MS), undefined, { signal: stopping.signal });
        current = await start();
      } catch (err) {
        if (stopping.signal.aborted) return;
        log.warn({ err, store: name, attempt, maxAttempts }, `embedded ${name} did not start again`);
        continue;
      }
      if (stopping.signal.aborted) return void (await current.stop());
      log.info({ store: name, url: current.url, attempt }, `embedded ${name} restarted`);
      watch(current);
      return;
    }
    log.error({ store: name, maxAttempts }, `embedded ${name} could not be restarted`);
    giveUp(`embedded ${name} exited (${exit}) and did not start again after ${maxAttempts} attempts`);
  };

  const watch = (store: EmbeddedStore) => {
    void store.exited?.then((exit) => {
      if (!stopping.signal.aborted && store === current) restarting = restart(exit);
    });
  };
  watch(first);

  return {
    url: first.url,
    gaveUp,
    async stop() {
      stopping.abort();
      await restarting;
      await current.stop();
    },
  };
}
