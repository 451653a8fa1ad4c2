import { createLogger, loadConfig, type Config, type Env } from '@polystore/common';
import { restoreBackup, type PointInTime, type RestoreResult } from '@polystore/operations';
import { testPostgres, testRedis } from '@polystore/testing/stores';
import { tracked } from './cleanup.js';
import type { Row } from './row.js';

export const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** Progress that times each step: the first bar of a store starts its clock, its last stop ends it. */
export function stepClock() {
  const spans = new Map<string, { start: number; end: number }>();
  const storeOf = (step: string) => step.split(/:? /)[0]!;
  return {
    progress: {
      bar(step: string) {
        const store = storeOf(step);
        const span = spans.get(store) ?? { start: performance.now(), end: 0 };
        spans.set(store, span);
        return { increment() {}, grow() {}, stop: () => void (span.end = performance.now()) };
      },
    },
    /** Seconds per store (postgres, mongodb, s3, checking, recovery …). */
    stores: () => Object.fromEntries([...spans].map(([store, { start, end }]) => [`${store}_s`, seconds(end - start)])),
  };
}

/** One timed call: wall seconds and this process's CPU seconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; wall: number; cpu: number }> {
  const [started, cpu] = [performance.now(), process.cpuUsage()];
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { result, wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
}

/**
 * Fresh stores for a restore of the bench's set: a new database on the test
 * server, a Redis prefix, a MongoDB database and a bucket of their own on the
 * stack's MongoDB and S3.
 */
async function freshStores(benchEnv: NodeJS.ProcessEnv): Promise<{ config: Config; dispose(): Promise<void> }> {
  const [postgres, redis] = [tracked(await testPostgres()), tracked(await testRedis())];
  const unique = `${Date.now().toString(36)}`;
  const config = loadConfig({
    ...benchEnv,
    ...postgres.env,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    MONGO_DATABASE: `restored_${unique}`,
    S3_BUCKET: `restored-${unique}`,
    LOG_LEVEL: 'silent',
  } as Env);
  return { config, dispose: async () => void (await Promise.all([postgres.dispose(), redis.dispose()])) };
}

/** A scenario's row for one timed run of the large catalog: wall and CPU seconds, then `extra`. */
export const timedRow =
  (scenario: string) =>
  (side: string, run: { wall: number; cpu: number }, extra: Row['extra']): Row => ({
    scenario,
    variant: 'large catalog',
    side,
    extra: { seconds: seconds(run.wall * 1000), cpu_s: seconds(run.cpu * 1000), ...extra },
  });

/**
 * `npm run restore` of the set in `from` into fresh stores (`freshStores`), timed, each
 * step's time on stderr as an operator sees it; the stores are removed afterwards.
 */
export async function timedRestore(
  benchEnv: NodeJS.ProcessEnv,
  from: string,
  pointInTime?: PointInTime,
): Promise<{ wall: number; cpu: number; result: RestoreResult; stores: Record<string, number> }> {
  const target = await freshStores(benchEnv);
  try {
    const clock = stepClock();
    const log = createLogger('restore', 'info', 'pretty', process.stderr);
    const run = await timed(() =>
      restoreBackup({ config: target.config, log, from, pointInTime, progress: clock.progress }),
    );
    return { ...run, stores: clock.stores() };
  } finally {
    await target.dispose();
  }
}
