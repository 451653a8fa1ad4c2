import { createLogger } from '@polystore/common';
import type { EmbeddedStore } from '@polystore/embedded';
import { superviseStore } from '../src/supervise.js';

const log = createLogger('supervise-test', 'silent');

/** A store whose process "dies" when `kill` is called. */
function fakeStore(url = 'fake://store') {
  let kill!: (exit: string) => void;
  const exited = new Promise<string>((resolve) => (kill = resolve));
  const store: EmbeddedStore & { kill(exit: string): void; stopped: boolean } = {
    url,
    exited,
    stopped: false,
    kill,
    async stop() {
      store.stopped = true;
      kill('SIGTERM');
    },
  };
  return store;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('superviseStore', () => {
  it('starts a dead store again on the same settings, and stops the current one', async () => {
    const first = fakeStore();
    const next = fakeStore();
    const starts: number[] = [];
    const supervised = superviseStore('redis', first, async () => (starts.push(1), next), log, { firstDelayMs: 1 });
    first.kill('SIGKILL');
    for (let i = 0; i < 50 && starts.length === 0; i++) await tick();
    expect(starts).toHaveLength(1);
    await supervised.stop();
    expect(next.stopped).toBe(true);
  });

  it('gives up after the maximum number of attempts, saying why', async () => {
    const first = fakeStore();
    let attempts = 0;
    const supervised = superviseStore(
      'postgres',
      first,
      async () => {
        attempts++;
        throw new Error('port taken');
      },
      log,
      { firstDelayMs: 1, maxAttempts: 3 },
    );
    first.kill('SIGKILL');
    expect(await supervised.gaveUp).toMatch(
      /embedded postgres exited \(SIGKILL\) and did not start again after 3 attempts/,
    );
    expect(attempts).toBe(3);
  });

  it('gives up on a store that keeps dying, after the maximum number of restarts', async () => {
    const first = fakeStore();
    const started: ReturnType<typeof fakeStore>[] = [];
    const supervised = superviseStore(
      'redis',
      first,
      async () => {
        const store = fakeStore();
        started.push(store);
        // Dies again as soon as it is up.
        setTimeout(() => store.kill('SIGSEGV'), 1);
        return store;
      },
      log,
      { firstDelayMs: 1, maxRestarts: 2 },
    );
    first.kill('SIGKILL');
    expect(await supervised.gaveUp).toMatch(/embedded redis died 3 times/);
    expect(started).toHaveLength(2);
  });

  it('does not restart a store it was told to stop', async () => {
    const first = fakeStore();
    let starts = 0;
    const supervised = superviseStore('redis', first, async () => (starts++, fakeStore()), log, { firstDelayMs: 1 });
    await supervised.stop();
    await tick();
    expect(first.stopped).toBe(true);
    expect(starts).toBe(0);
  });
});
