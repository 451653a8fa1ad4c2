import { Teardown, type Config, type Logger } from '@polystore/common';
import { createS3Store, ensureBucket } from '@polystore/storage-subgraph/operations';
import { connectPostgres } from '../backup/postgres.js';
import { progressOn, type Progress } from '../backup/progress.js';
import { reach, reachMongo, reachRedis } from '../consistency/stores.js';
import { mongoDocumentsPresent, restoreMongo } from './mongo.js';
import { pointInTimeOf, recoveredRows, type PointInTime } from './point-in-time.js';
import { knownMigrationCount, postgresRowsPresent, restorePostgres, rowsOfSet } from './postgres.js';
import { flushProductKeys, redisStatePresent, restoreRedis } from './redis.js';
import { emptyBucket, restoreS3, s3ObjectsPresent } from './s3.js';
import { SetReader, UnusableSet } from './set-reader.js';

export interface RestoreOptions {
  config: Config;
  log: Logger;
  /** The set's folder. */
  from: string;
  /** Write over stores that hold data (their data is lost). Default: refuse them. */
  replace?: boolean;
  /** Restore PostgreSQL to this later moment: the set's base backup and the WAL archive (docs/operations.md). */
  pointInTime?: PointInTime;
  progress?: Progress;
}

export interface RestoreResult {
  manifest: SetReader['manifest'];
  /** Outbox events the relay sends again when the services start (the replay window). */
  eventsToReplay: number;
  /** Stores that held data and were replaced. */
  replaced: string[];
  /** The PostgreSQL role the restore ran as: the schema's owner. */
  role: string;
}

/** Target stores hold data and the restore was not told to replace them. Nothing was written. */
export class StoresNotEmpty extends Error {
  override readonly name = 'StoresNotEmpty';
}

/**
 * Restores a backup set into the configured stores (docs/operations.md,
 * _Restores_). Before anything is written: the set is checked file by file,
 * its migration level against this version's, the key against an encrypted
 * set, every store reached, and each store found empty (or `replace` given).
 * Then Redis's product keys are flushed and its state restored, MongoDB and
 * S3 loaded, and PostgreSQL last, its replay window marked unpublished: the
 * services' relay sends those events again when they start, and their
 * handlers (idempotent) bring MongoDB and S3 to PostgreSQL's state. With
 * `pointInTime`, PostgreSQL's rows are those of the set's base backup
 * recovered to that moment, and the replay window runs from the set's start
 * position to that moment: MongoDB and S3 converge on it the same way.
 */
export async function restoreBackup({
  config,
  log,
  from,
  replace = false,
  pointInTime,
  progress = progressOn(process.stderr),
}: RestoreOptions): Promise<RestoreResult> {
  const set = await SetReader.open(from, config.backups.encryptionKey);
  knownMigrationCount(set.manifest.migrationLevel);
  const target = pointInTime && { ...pointInTime, ...(await pointInTimeOf(set, pointInTime, config)) };
  log.info({ dir: set.dir }, 'checking every file of the set');
  await set.verify(progress);
  const keyPrefix = config.redis.keyPrefix;
  if (keyPrefix === '') throw new UnusableSet('REDIS_KEY_PREFIX is empty: a restore flushes the product keys under it');
  const teardown = new Teardown(log);
  try {
    const postgres = await connectPostgres(config.postgres, teardown);
    const { rows: whoami } = await postgres.query<{ role: string }>('SELECT current_user AS role');
    const role = whoami[0]!.role;
    const mongo = await reachMongo(config, teardown);
    const s3 = await reach('S3', async () => {
      const store = createS3Store(config, teardown);
      await ensureBucket(store, log);
      return store;
    });
    const redis = await reachRedis(config, teardown);
    const held = [
      ...(await postgresRowsPresent(postgres)).map((table) => `PostgreSQL table ${table}`),
      ...(await mongoDocumentsPresent(mongo)).map((collection) => `MongoDB collection ${collection}`),
      ...((await s3ObjectsPresent(s3)) ? [`S3 bucket ${s3.bucket}`] : []),
      ...(redis && (await redisStatePresent(redis, keyPrefix)) ? [`Redis state under ${keyPrefix}`] : []),
    ];
    if (held.length > 0 && !replace)
      throw new StoresNotEmpty(
        `the stores hold data (${held.join(', ')}): restore into empty ones, or pass --replace to lose it`,
      );
    // Recovered before anything is written: a moment the WAL archive does not reach is refused.
    const rows = target ? await recoveredRows(set, target, teardown, progress) : rowsOfSet(set);
    // The recovered database's own level: one this product does not know is refused before anything is written.
    knownMigrationCount(rows.migrationLevel);
    // Each step says when it is done and how long it took: operators plan the next restore by it.
    const step = async (name: string, work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      log.info({ seconds: Math.round((performance.now() - started) / 100) / 10 }, `${name}: done`);
    };
    if (redis) {
      await step('Redis: product keys flushed, state restored', async () => {
        await flushProductKeys(redis, keyPrefix);
        if (!('skipped' in set.manifest.stores.redis)) await restoreRedis(redis, keyPrefix, set);
      });
    } else log.warn('no REDIS_URL: persisted queries and dead letters of the set are not restored');
    await step('MongoDB', () => restoreMongo(mongo, set, progress, step));
    await step('S3', async () => {
      if (replace) await emptyBucket(s3);
      await restoreS3(s3, set, progress);
    });
    await step('PostgreSQL', () => restorePostgres(postgres, config.postgres, rows, progress, step));
    log.info({ dir: set.dir, to: rows.name }, 'restore done');
    return { manifest: set.manifest, eventsToReplay: rows.eventsToReplay, replaced: held, role };
  } finally {
    await teardown.close();
  }
}
