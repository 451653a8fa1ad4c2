/** Waits that end early, with `undefined`, once a stream is stopped. */
export interface UntilStopped {
  readonly stopped: boolean;
  /** What `waited` settles with, or `undefined` as soon as the stop settles (at once if it has). */
  race<T>(waited: Promise<T>): Promise<T | undefined>;
}

/**
 * Races each wait of a long-lived stream against the one promise that says it
 * was stopped, without `Promise.race([wait, stop])`: every such race leaves a
 * reaction on `stop` that keeps the wait's result (an event) alive until `stop`
 * settles, so a subscription kept every event it had passed on for as long as
 * its client stayed (about 550 bytes per event and subscriber in the gateway).
 * Here `stop` has one reaction, which settles only the wait pending at the time.
 */
export function untilStopped(stop: Promise<unknown>): UntilStopped {
  let stopped = false;
  let wake: ((value: undefined) => void) | undefined;
  void stop.then(() => {
    stopped = true;
    wake?.(undefined);
  });
  return {
    get stopped() {
      return stopped;
    },
    race<T>(waited: Promise<T>) {
      if (stopped) return Promise.resolve(undefined);
      return new Promise<T | undefined>((resolve, reject) => {
        wake = resolve;
        waited.then(resolve, reject);
      }).finally(() => {
        wake = undefined;
      });
    },
  };
}
