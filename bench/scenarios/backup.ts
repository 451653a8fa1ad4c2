import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger, loadConfig, type Env } from '@polystore/common';
import { restoreBackup, takeBackup } from '@polystore/operations';
import { testPostgres, testRedis } from '@polystore/testing/stores';
import { tracked } from '../lib/cleanup.js';
import { LARGE_CATALOG, loadLargeCatalog } from '../lib/large-catalog.js';
import type { Row } from '../lib/row.js';
import type { Scenario } from '../lib/scenario.js';
import { startBenchStack } from '../lib/stack.js';

const run = promisify(execFile);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** Progress that times each step: the first bar of a store starts its clock, its last stop ends it. */
function stepClock() {
  const spans = new Map<string, { start: number; end: number }>();
  const storeOf = (step: string) => step.split(' ')[0]!;
  return {
    progress: {
      bar(step: string) {
        const store = storeOf(step);
        const span = spans.get(store) ?? { start: performance.now(), end: 0 };
        spans.set(store, span);
        return { increment() {}, grow() {}, stop: () => void (span.end = performance.now()) };
      },
    },
    /** Seconds per store (postgres, mongodb, s3, checking …). */
    stores: () => Object.fromEntries([...spans].map(([store, { start, end }]) => [`${store}_s`, seconds(end - start)])),
  };
}

/** One timed call: wall seconds and this process's CPU seconds. */
async function timed<T>(work: () => Promise<T>): Promise<{ result: T; wall: number; cpu: number }> {
  const [started, cpu] = [performance.now(), process.cpuUsage()];
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { result, wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
}

/** pg_dump / pg_restore of the same database, where the machine's client matches the server. */
async function pgDumpBaseline(databaseUrl: string, folder: string): Promise<Row[]> {
  const file = join(folder, 'pg_dump.custom');
  try {
    const dump = await timed(() => run('pg_dump', ['-Fc', '-f', file, '-d', databaseUrl]));
    const target = tracked(await testPostgres());
    try {
      const restore = await timed(() =>
        run('pg_restore', ['--no-owner', '--no-privileges', '-d', target.url, file], { maxBuffer: 1 << 24 }),
      );
      const bytes = (await stat(file)).size;
      return [
        {
          scenario: 'backup',
          variant: 'large catalog',
          side: 'pg_dump -Fc (PostgreSQL only)',
          extra: { seconds: seconds(dump.wall * 1000), MiB: Math.round(bytes / 2 ** 20) },
        },
        {
          scenario: 'backup',
          variant: 'large catalog',
          side: 'pg_restore (PostgreSQL only)',
          extra: { seconds: seconds(restore.wall * 1000) },
        },
      ];
    } finally {
      await target.dispose();
    }
  } catch (err) {
    const reason = String((err as Error).message)
      .split('\n')[0]!
      .slice(0, 80);
    return [{ scenario: 'backup', variant: 'large catalog', side: 'pg_dump (not run)', extra: { reason } }];
  }
}

/**
 * Backup and restore of the bench's large catalog (10k products, 100k order
 * items, 10k reviews, 1k images) with the product's own tools, in this
 * process: wall and CPU seconds, and seconds per store. The restore goes
 * into fresh stores (a new database, MongoDB database, bucket and Redis
 * prefix); its time is the RTO figure. Beside it, pg_dump and pg_restore of
 * the same PostgreSQL database, which cover one store of the four.
 */
export const backup: Scenario = {
  name: 'backup',
  description:
    'npm run backup / restore of the large catalog (RTO), beside pg_dump / pg_restore of its PostgreSQL part',
  async run() {
    const bench = await startBenchStack();
    const folder = await mkdtemp(join(tmpdir(), 'polystore-bench-backup-'));
    tracked({ dispose: () => rm(folder, { recursive: true, force: true }) });
    try {
      await loadLargeCatalog(bench.stack.gatewayUrl, bench.env, bench.log);
      const config = loadConfig({ ...bench.env, LOG_LEVEL: 'silent' } as Env);
      const log = bench.log;
      const backupClock = stepClock();
      const taken = await timed(() =>
        takeBackup({ config, log, out: join(folder, 'set'), progress: backupClock.progress }),
      );
      const { manifest, dir } = taken.result;
      const files = [...manifest.stores.postgres.files, ...manifest.stores.mongodb.files];
      const setBytes = manifest.stores.s3.bytes + files.reduce((sum, file) => sum + file.bytes, 0);

      const [postgres, redis] = [tracked(await testPostgres()), tracked(await testRedis())];
      const unique = `${Date.now().toString(36)}`;
      const target = loadConfig({
        ...bench.env,
        ...postgres.env,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: redis.keyPrefix,
        MONGO_DATABASE: `restored_${unique}`,
        S3_BUCKET: `restored-${unique}`,
        LOG_LEVEL: 'silent',
      } as Env);
      const restoreClock = stepClock();
      // Each step's time on stderr, as an operator sees it.
      const steps = createLogger('restore', 'info', 'pretty', process.stderr);
      const restored = await timed(() =>
        restoreBackup({ config: target, log: steps, from: dir, progress: restoreClock.progress }),
      );
      const catalog = `${LARGE_CATALOG.products} products, ${LARGE_CATALOG.orders * LARGE_CATALOG.itemsPerOrder} items`;
      process.stderr.write(
        `  backup: ${catalog}: backup ${taken.wall.toFixed(1)} s, restore ${restored.wall.toFixed(1)} s\n`,
      );
      const ours = (side: string, run: { wall: number; cpu: number }, extra: Row['extra']): Row => ({
        scenario: 'backup',
        variant: 'large catalog',
        side,
        extra: { seconds: seconds(run.wall * 1000), cpu_s: seconds(run.cpu * 1000), ...extra },
      });
      const rows: Row[] = [
        ours('polystore backup (4 stores)', taken, { MiB: Math.round(setBytes / 2 ** 20), ...backupClock.stores() }),
        ours('polystore restore (4 stores, RTO)', restored, restoreClock.stores()),
        ...(await pgDumpBaseline(bench.postgres.url, folder)),
      ];
      await Promise.all([postgres.dispose(), redis.dispose()]);
      return rows;
    } finally {
      await bench.dispose();
    }
  },
};
