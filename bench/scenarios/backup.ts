import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, type Env } from '@polystore/common';
import { takeBackup } from '@polystore/operations';
import { testPostgres } from '@polystore/testing/stores';
import { seconds, stepClock, timed, timedRestore, timedRow } from '../lib/backup-timing.js';
import { tracked } from '../lib/cleanup.js';
import { LARGE_CATALOG, loadLargeCatalog } from '../lib/large-catalog.js';
import type { Row } from '../lib/row.js';
import type { Scenario } from '../lib/scenario.js';
import { startBenchStack } from '../lib/stack.js';

const run = promisify(execFile);
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

      const restored = await timedRestore(bench.env, dir);
      const catalog = `${LARGE_CATALOG.products} products, ${LARGE_CATALOG.orders * LARGE_CATALOG.itemsPerOrder} items`;
      process.stderr.write(
        `  backup: ${catalog}: backup ${taken.wall.toFixed(1)} s, restore ${restored.wall.toFixed(1)} s\n`,
      );
      const ours = timedRow('backup');
      const rows: Row[] = [
        ours('polystore backup (4 stores)', taken, { MiB: Math.round(setBytes / 2 ** 20), ...backupClock.stores() }),
        ours('polystore restore (4 stores, RTO)', restored, restored.stores),
        ...(await pgDumpBaseline(bench.postgres.url, folder)),
      ];
      return rows;
    } finally {
      await bench.dispose();
    }
  },
};
