import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import type { Config, Teardown } from '@polystore/common';
import {
  clusterArchive,
  embeddedMajorVersion,
  recoverEmbeddedPostgres,
  RecoveryRefused,
  WAL_ARCHIVE_TIMEOUT_S,
} from '@polystore/embedded';
import { OUTBOX_RETENTION_DAYS } from '@polystore/sql-subgraph/operations';
import { BASE_FOLDER, type BaseBackup } from '../backup/postgres-base.js';
import { columnsOf, copyOut, migrationLevel, sequencesOf, tablesInForeignKeyOrder } from '../backup/postgres.js';
import type { Progress } from '../backup/progress.js';
import type { RowsSource } from './postgres.js';
import { UnusableSet, type SetReader } from './set-reader.js';
import { inside } from '../inside.js';

/** A restore to a moment after the set: its base backup, then the WAL archive replayed to `toTime`. */
export interface PointInTime {
  toTime: Date;
  /** The WAL archive's folder. Default: POSTGRES_WAL_ARCHIVE_DIR, else the one the server archived into. */
  walArchiveDir?: string;
}

const DAY_MS = 24 * 3_600_000;

/**
 * Checks, before anything is written, that the set can reach `toTime`: it
 * holds a base backup that ends before it, the archive is there, and the
 * outbox still held the set's replay window then (published rows are pruned
 * after OUTBOX_RETENTION_DAYS). Returns the base backup and the archive.
 */
export async function pointInTimeOf(
  set: SetReader,
  { toTime, walArchiveDir }: PointInTime,
  config: Config,
): Promise<{ base: BaseBackup; walArchiveDir: string }> {
  const base = set.manifest.stores.postgres.base;
  if (!base || 'skipped' in base)
    throw new UnusableSet(
      `the set holds no base backup (${base?.skipped ?? 'taken before base backups'}): it restores to its own moment only`,
    );
  // Refused before the base backup is copied out (the recovery checks the copied data folder again).
  const serverVersion = await embeddedMajorVersion();
  if (base.majorVersion !== serverVersion)
    throw new UnusableSet(
      `the set's base backup is of PostgreSQL ${base.majorVersion}; the embedded server is PostgreSQL ${serverVersion}`,
    );
  if (toTime.getTime() < Date.parse(base.consistentAt))
    throw new UnusableSet(
      `the set's base backup ends at ${base.consistentAt}: choose a later moment or an earlier set`,
    );
  if (toTime.getTime() > Date.parse(set.manifest.startedAt) + OUTBOX_RETENTION_DAYS * DAY_MS)
    throw new UnusableSet(
      `${toTime.toISOString()} is more than ${OUTBOX_RETENTION_DAYS} days after the set: the outbox no longer held its replay window then; choose a later set`,
    );
  const given = walArchiveDir ?? config.backups.walArchiveDir;
  const archive = given ? await clusterFolderIn(resolve(given), base.systemIdentifier) : base.walArchive;
  if (!archive) throw new UnusableSet('no WAL archive: pass --wal-archive <folder> or set POSTGRES_WAL_ARCHIVE_DIR');
  if (!(await isFolder(archive))) throw new UnusableSet(`the WAL archive ${archive} is not a folder here`);
  return { base, walArchiveDir: archive };
}

const isFolder = async (path: string) => (await stat(path).catch(() => null))?.isDirectory() ?? false;

/** The archive's root (POSTGRES_WAL_ARCHIVE_DIR) holds a folder per cluster; a folder of segments is taken as it is. */
async function clusterFolderIn(folder: string, systemId: string): Promise<string> {
  const cluster = clusterArchive(folder, systemId);
  return (await isFolder(cluster)) ? cluster : folder;
}

/** The base backup's data folder, written from the set into `dataDir` (decrypted on the way). */
async function layOut(set: SetReader, base: BaseBackup, dataDir: string, progress: Progress): Promise<void> {
  await mkdir(dataDir, { mode: 0o700 });
  // The manifest names the paths: none may lead out of the data folder.
  const within = (path: string) => {
    const target = inside(dataDir, path);
    if (!target) throw new UnusableSet(`the base backup names ${path}, outside its folder`);
    return target;
  };
  for (const directory of base.directories) await mkdir(within(directory), { recursive: true, mode: 0o700 });
  const bar = progress.bar('recovery: base backup', base.files.length);
  try {
    for (const file of base.files) {
      const path = file.path.slice(BASE_FOLDER.length + 1);
      await pipeline(set.open(file.path), createWriteStream(within(path), { mode: 0o600, flags: 'wx' }));
      bar.increment(path);
    }
  } finally {
    bar.stop();
  }
}

/**
 * PostgreSQL's rows as they were at `toTime`: the set's base backup laid out
 * in a private temporary folder, recovered there by the embedded server with
 * the WAL archive up to that moment, and read from it as the set's role. Runs
 * before anything is written: a moment the archive does not reach is
 * `UnusableSet`. The server and its folder go with `teardown`.
 */
export async function recoveredRows(
  set: SetReader,
  target: PointInTime & { base: BaseBackup; walArchiveDir: string },
  teardown: Teardown,
  progress: Progress,
): Promise<RowsSource> {
  const workDir = await mkdtemp(join(tmpdir(), 'polystore-recovery-'));
  teardown.add('recovery folder', () => rm(workDir, { recursive: true, force: true }));
  const dataDir = join(workDir, 'data');
  await layOut(set, target.base, dataDir, progress);
  const { role, schema } = set.manifest.stores.postgres;
  const replay = progress.bar('recovery: WAL replay', 1);
  const server = await recoverEmbeddedPostgres({
    dataDir,
    workDir,
    walArchiveDir: target.walArchiveDir,
    targetTime: target.toTime,
    as: { user: role, database: target.base.database },
  })
    .then((recovered) => {
      replay.increment(target.toTime.toISOString());
      return recovered;
    })
    .catch((err: unknown) => {
      if (!(err instanceof RecoveryRefused)) throw err;
      const hint = /before configured recovery target/.test(err.message)
        ? `: the archive ends before that moment (a segment is archived once full, or ${WAL_ARCHIVE_TIMEOUT_S} s after its first write on the embedded server); choose an earlier moment or wait`
        : '';
      throw new UnusableSet(`${err.message}${hint}`);
    })
    .finally(() => replay.stop());
  teardown.add('recovered postgres', () => server.stop());
  const client = new pg.Client({
    ...server.connection(role, target.base.database),
    application_name: 'polystore-restore',
  });
  await client.connect();
  teardown.add('recovered postgres connection', () => client.end());
  await client.query(`SET search_path TO ${client.escapeIdentifier(schema)}`);
  const tables: RowsSource['tables'] = [];
  for (const name of await tablesInForeignKeyOrder(client)) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM ${client.escapeIdentifier(name)}`,
    );
    tables.push({ name, columns: await columnsOf(client, name), rows: rows[0]!.n });
  }
  const { fromOutboxId: replayFromOutboxId, toOutboxId, events } = set.manifest.positions.replay;
  const { rows: window } = await client.query<{ n: number; set: number }>(
    `SELECT count(*)::integer AS n, count(*) FILTER (WHERE id <= $2::bigint)::integer AS set
     FROM outbox WHERE id >= $1::bigint`,
    [replayFromOutboxId, toOutboxId ?? '0'],
  );
  // Published rows are pruned after OUTBOX_RETENTION_DAYS: the set's window must still be whole at the moment.
  if (window[0]!.set < events)
    throw new UnusableSet(
      `the outbox at ${target.toTime.toISOString()} no longer holds the set's replay window (${window[0]!.set} of ${events} events): choose a later set`,
    );
  return {
    name: `the database recovered to ${target.toTime.toISOString()}`,
    migrationLevel: await migrationLevel(client),
    tables,
    open: (table) => copyOut(client, table, tables.find(({ name }) => name === table)!.columns),
    sequences: await sequencesOf(client),
    replayFromOutboxId,
    eventsToReplay: window[0]!.n,
  };
}
