import { readFileSync } from 'node:fs';
import type { EncryptionInfo } from './encryption.js';
import type { MongoCopy } from './mongo.js';
import type { EndPosition, StartPosition } from './positions.js';
import type { PostgresCopy } from './postgres.js';
import type { BaseBackup, BaseBackupSkipped } from './postgres-base.js';
import type { RedisCopy } from './redis.js';
import type { S3Copy } from './s3.js';

/** What a set's `manifest.json` says; a restore checks every file against it before writing anything. */
export interface Manifest {
  format: typeof FORMAT;
  formatVersion: 1;
  /** The product's name and version (the root package.json) that wrote the set. */
  product: { name: string; version: string };
  startedAt: string;
  finishedAt: string;
  /** Present when every file of the set is encrypted: how, never with what key. */
  encryption?: EncryptionInfo;
  migrationLevel: PostgresCopy['migrationLevel'];
  /**
   * The event flow at the start (before MongoDB and S3 were copied) and at the
   * end (PostgreSQL's snapshot). `replay` is what a restore re-applies: the
   * snapshot's outbox rows with ids from `fromOutboxId` to `toOutboxId`.
   */
  positions: {
    start: StartPosition;
    end: EndPosition;
    replay: { fromOutboxId: string; toOutboxId: string | null; events: number };
  };
  stores: {
    postgres: Omit<PostgresCopy, 'end' | 'migrationLevel'> & {
      /** A physical copy for point-in-time recovery, or why there is none (sets before it have neither). */
      base?: BaseBackup | BaseBackupSkipped;
    };
    mongodb: MongoCopy;
    s3: S3Copy;
    /** Skipped (with why) when no REDIS_URL is configured. */
    redis: RedisCopy | { skipped: string };
  };
}

export const FORMAT = 'polystore-backup';

/** The product's name and version, from the root package.json. */
export function productVersion(): Manifest['product'] {
  const root = new URL('../../../../package.json', import.meta.url);
  const { name, version } = JSON.parse(readFileSync(root, 'utf8')) as { name: string; version: string };
  return { name, version };
}

export function buildManifest(parts: {
  startedAt: Date;
  start: StartPosition;
  postgres: PostgresCopy;
  base: BaseBackup | BaseBackupSkipped;
  mongodb: MongoCopy;
  s3: S3Copy;
  redis: Manifest['stores']['redis'];
  encryption: EncryptionInfo | undefined;
}): Manifest {
  const { end, migrationLevel, ...postgres } = parts.postgres;
  return {
    format: FORMAT,
    formatVersion: 1,
    product: productVersion(),
    startedAt: parts.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ...(parts.encryption ? { encryption: parts.encryption } : {}),
    migrationLevel,
    positions: {
      start: parts.start,
      end,
      replay: {
        fromOutboxId: parts.start.replayFromOutboxId,
        toOutboxId: end.outbox.highestId,
        events: end.eventsToReplay,
      },
    },
    stores: { postgres: { ...postgres, base: parts.base }, mongodb: parts.mongodb, s3: parts.s3, redis: parts.redis },
  };
}
