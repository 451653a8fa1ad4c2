import { createLogger, Teardown, type Logger } from '../../src/index.js';

/** Anything a test starts that must be removed again: a store fixture, a server, a test bed. */
export interface Disposable {
  dispose(): Promise<void>;
}

/** Adds a fixture to be disposed later and returns it, so a start reads `const redis = own(await testRedis())`. */
export type Own = <Fixture extends Disposable>(fixture: Fixture) => Fixture;

/** Fixtures disposed together, the last one first, as a teardown stack closes. */
export class FixtureStack implements Disposable {
  readonly #fixtures: Disposable[] = [];

  readonly own: Own = (fixture) => {
    this.#fixtures.push(fixture);
    return fixture;
  };

  async dispose(): Promise<void> {
    for (const fixture of this.#fixtures.splice(0).reverse()) await fixture.dispose();
  }
}

/**
 * Starts a test bed from the fixtures `start` owns; its `dispose` removes them, the
 * last one first. When the start fails, what it had already started is disposed
 * before the error is rethrown, so a failed `beforeAll` leaves nothing behind.
 */
export async function startWithFixtures<Bed extends object>(
  start: (own: Own) => Promise<Bed>,
): Promise<Bed & Disposable> {
  const fixtures = new FixtureStack();
  try {
    return { ...(await start(fixtures.own)), dispose: () => fixtures.dispose() };
  } catch (err) {
    await fixtures.dispose();
    throw err;
  }
}

/**
 * Starts what a whole test file shares in `beforeAll` and disposes it in
 * `afterAll`. The object returned stands for it: read it inside hooks and tests
 * (before `beforeAll` has run, a read throws). afterAll hooks run in the order they
 * are declared, so a file that must close something of its own first declares that
 * hook before calling this.
 */
export function startedOncePerFile<Started extends Disposable>(
  start: () => Promise<Started>,
  timeoutMs?: number,
): Started {
  let started: Started | undefined;
  beforeAll(async () => {
    started = await start();
  }, timeoutMs);
  afterAll(async () => {
    await started?.dispose();
  });
  return new Proxy({} as Started, {
    get(_target, key) {
      // Not a promise: `await` on this object must not wait for a `then`.
      if (key === 'then') return undefined;
      if (!started) throw new Error(`read ${String(key)} of what beforeAll starts before it ran (or after it failed)`);
      const value = Reflect.get(started, key, started) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(started) : value;
    },
  });
}

/**
 * For a test file that starts services itself: a silent logger, a teardown for
 * what the services register, and `own` for its fixtures. In afterAll the
 * teardown closes first, then the fixtures, the last one first.
 */
export function servicesOfFile(): { log: Logger; teardown: Teardown; own: Own } {
  const log = createLogger('test', 'silent');
  const teardown = new Teardown(log);
  const fixtures = new FixtureStack();
  afterAll(async () => {
    await teardown.close();
    await fixtures.dispose();
  });
  return { log, teardown, own: fixtures.own };
}
