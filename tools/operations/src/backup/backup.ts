import { Teardown, type Config, type Logger } from '@polystore/common';
import { reachMongo, reachRedis, reachS3 } from '../consistency/stores.js';
import { SetKey } from './encryption.js';
import { buildManifest, type Manifest } from './manifest.js';
import { copyMongo } from './mongo.js';
import { readStartPosition } from './positions.js';
import { connectPostgres, copyPostgres } from './postgres.js';
import { copyBaseBackup } from './postgres-base.js';
import { progressOn, type Progress } from './progress.js';
import { copyRedis } from './redis.js';
import { copyS3 } from './s3.js';
import { BackupSet } from './set-writer.js';

export interface BackupOptions {
  config: Config;
  log: Logger;
  /** The set's folder: created (with its parents), or an existing empty one. */
  out: string;
  /** Bars for the long steps. Default: on stderr when it is a terminal. */
  progress?: Progress;
}

/**
 * Writes one backup set of the four stores (docs/operations.md, _Backups_):
 * the event position first, then MongoDB and S3 and Redis's state, then
 * PostgreSQL's snapshot last with its own position, a base backup of
 * PostgreSQL where it archives its WAL here (point-in-time recovery), then the manifest. Every
 * store is reached before the folder is created, so a store that does not
 * answer (`StoreUnreachable`) leaves nothing behind; a set that fails midway
 * has no manifest and is incomplete. With BACKUP_ENCRYPTION_KEY every file
 * is encrypted (the manifest says how, never with what key).
 */
export async function takeBackup({
  config,
  log,
  out,
  progress = progressOn(process.stderr),
}: BackupOptions): Promise<{ dir: string; manifest: Manifest }> {
  const teardown = new Teardown(log);
  try {
    const postgres = await connectPostgres(config.postgres, teardown);
    const mongo = await reachMongo(config, teardown);
    const s3 = await reachS3(config, teardown);
    const redis = await reachRedis(config, teardown);
    const passphrase = config.backups.encryptionKey;
    const key = passphrase ? await SetKey.create(passphrase) : undefined;
    const set = await BackupSet.create(out, key);
    const startedAt = new Date();
    log.info({ dir: set.dir }, 'backup started: reading the event position');
    const start = await readStartPosition(postgres, redis, config.redis.keyPrefix);
    log.info({ replayFromOutboxId: start.replayFromOutboxId }, 'copying MongoDB');
    const mongodb = await copyMongo(mongo, set, progress);
    log.info({ collections: mongodb.collections.length }, 'copying S3');
    const objects = await copyS3(s3, set, progress);
    log.info({ objects: objects.objects }, "copying Redis's state");
    const redisCopy = redis
      ? await copyRedis(redis, config.redis.keyPrefix, set)
      : { skipped: 'no REDIS_URL: no persisted queries or dead letters to keep' };
    log.info("taking PostgreSQL's snapshot");
    const sql = await copyPostgres(postgres, set, start.replayFromOutboxId, progress);
    log.info("taking PostgreSQL's base backup, if it archives its WAL here");
    const base = await copyBaseBackup(postgres, set, progress);
    if ('skipped' in base)
      log.info({ reason: base.skipped }, 'no base backup: the set restores to its own moment only');
    const manifest = buildManifest({
      startedAt,
      start,
      postgres: sql,
      base,
      mongodb,
      s3: objects,
      redis: redisCopy,
      encryption: key?.info,
    });
    await set.writeManifest(manifest);
    log.info({ dir: set.dir }, 'backup done');
    return { dir: set.dir, manifest };
  } finally {
    await teardown.close();
  }
}
