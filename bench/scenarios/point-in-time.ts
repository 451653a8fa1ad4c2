import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { graphqlRequest, loadConfig, type Env } from '@polystore/common';
import { takeBackup } from '@polystore/operations';
import { walArchived } from '@polystore/testing/stores';
import { stepClock, timed, timedRestore, timedRow } from '../lib/backup-timing.js';
import { tracked } from '../lib/cleanup.js';
import { loadLargeCatalog } from '../lib/large-catalog.js';
import type { Scenario } from '../lib/scenario.js';
import { adminHeaders, startBenchStack } from '../lib/stack.js';

/**
 * Point-in-time recovery of the large catalog on the embedded PostgreSQL
 * archiving its WAL (`POSTGRES_WAL_ARCHIVE_DIR`): a backup with its base
 * backup, products created after it, then a restore to a moment after those
 * writes into fresh stores (the base backup recovered by the embedded
 * server, the rows copied into the test server). Wall and CPU seconds of
 * each, and the seconds per store; the restore's time is the RTO of a
 * restore to a moment.
 */
export const pointInTime: Scenario = {
  name: 'point-in-time',
  description:
    'npm run backup with a base backup and npm run restore --to-time of the large catalog (WAL archive, RTO)',
  async run() {
    const bench = await startBenchStack({ postgres: 'embedded, archiving' });
    const folder = await mkdtemp(join(tmpdir(), 'polystore-bench-pitr-'));
    tracked({ dispose: () => rm(folder, { recursive: true, force: true }) });
    try {
      await loadLargeCatalog(bench.stack.gatewayUrl, { ...bench.env, DATABASE_URL: bench.postgres.url }, bench.log);
      const config = loadConfig({ ...bench.env, LOG_LEVEL: 'silent' } as Env);
      const backupClock = stepClock();
      const taken = await timed(() =>
        takeBackup({ config, log: bench.log, out: join(folder, 'set'), progress: backupClock.progress }),
      );
      const { manifest, dir } = taken.result;
      const base = manifest.stores.postgres.base;
      if (!base || 'skipped' in base) throw new Error(`no base backup: ${base?.skipped ?? 'none'}`);
      // Writes after the set, which the restore replays from the archive.
      const written = 50;
      for (let i = 0; i < written; i++) {
        const result = await graphqlRequest(
          bench.stack.gatewayUrl,
          'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }',
          { input: { sku: `PITR-${Date.now()}-${i}`, name: 'After the set', price: { amount: 100, currency: 'EUR' } } },
          { headers: adminHeaders() },
        );
        if (result.errors) throw new Error(JSON.stringify(result.errors));
      }
      const moment = new Date();
      await sleep(1_100);
      await walArchived(bench.postgres.url);

      const restored = await timedRestore(bench.env, dir, { toTime: moment });
      const baseBytes = base.files.reduce((sum, file) => sum + file.bytes, 0);
      process.stderr.write(
        `  point-in-time: backup ${taken.wall.toFixed(1)} s (base ${Math.round(baseBytes / 2 ** 20)} MiB), restore to a moment ${restored.wall.toFixed(1)} s\n`,
      );
      const row = timedRow('point-in-time');
      return [
        row('polystore backup with base backup', taken, {
          base_MiB: Math.round(baseBytes / 2 ** 20),
          ...backupClock.stores(),
        }),
        row('polystore restore --to-time (RTO)', restored, {
          replayed_events: restored.result.eventsToReplay,
          ...restored.stores,
        }),
      ];
    } finally {
      await bench.dispose();
    }
  },
};
