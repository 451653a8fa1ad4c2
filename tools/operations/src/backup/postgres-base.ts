import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { systemIdentifier } from '@polystore/embedded';
import type { Progress } from './progress.js';
import type { BackupSet, SetFile } from './set-writer.js';

/**
 * A physical copy of PostgreSQL's data folder, taken with the low-level API
 * while the server runs: what a point-in-time restore replays the WAL
 * archive onto (docs/operations.md, _Point-in-time recovery_).
 */
export interface BaseBackup {
  /** PostgreSQL's major version (PG_VERSION): only that version's server can recover it. */
  majorVersion: number;
  /** The cluster's system identifier: its WAL archive is the folder of that name under the archive's root. */
  systemIdentifier: string;
  /** The database the product's schema is in. */
  database: string;
  startLsn: string;
  /** The WAL segment the recovery starts from: the archive's older segments serve no later set. */
  startWalFile: string;
  stopLsn: string;
  /** When the copy ended: the earliest moment the set can be recovered to. */
  consistentAt: string;
  /** The server's WAL archive folder when it archives with `basic_archive`, else null (the restore is told where). */
  walArchive: string | null;
  /** Every folder of the data folder, relative, so a restore lays out the empty ones too. */
  directories: string[];
  files: SetFile[];
}

/** No base backup in the set, and why: the set restores to its own moment only. */
export interface BaseBackupSkipped {
  skipped: string;
}

export const BASE_FOLDER = 'postgres-base';

/** Folders whose content a base backup leaves out (PostgreSQL rebuilds or does not need it); the folders themselves are kept. */
const EMPTIED = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);
/** Files of a running server that a copy must not carry. */
const LEFT_OUT = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'backup_label',
  'tablespace_map',
  'recovery.signal',
  'standby.signal',
  'current_logfiles',
  'pg_internal.init',
]);

/**
 * Why this connection's server cannot give a base backup here, or where its data folder is. A
 * base backup reads the data folder's files, so the server must be on this machine (the
 * embedded one, or one beside the backup); anywhere else its point-in-time recovery is its
 * operator's (pgBackRest, WAL-G, a managed service's).
 */
async function dataFolderHere(client: pg.Client): Promise<{ dataDir: string } | BaseBackupSkipped> {
  const { rows } = await client.query<{ archiving: string; recovering: boolean; port: string; started: number }>(
    `SELECT current_setting('archive_mode') AS archiving, pg_is_in_recovery() AS recovering,
            current_setting('port') AS port, extract(epoch FROM pg_postmaster_start_time())::float8 AS started`,
  );
  const { archiving, recovering, port, started } = rows[0]!;
  if (archiving === 'off')
    return { skipped: 'PostgreSQL does not archive its WAL (POSTGRES_WAL_ARCHIVE_DIR for the embedded server)' };
  if (recovering) return { skipped: 'the server is a standby: take base backups on the primary' };
  const setting = await client
    .query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`)
    .catch((err: Error) => err);
  if (setting instanceof Error)
    return { skipped: `the backup's role cannot read data_directory (${setting.message}): docs/operations.md` };
  const dataDir = setting.rows[0]!.dir;
  // The server's own pid file names its start time and port: the folder here is that server's, not a namesake's.
  const pid = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  // (The file has the start in whole seconds, taken a moment apart from the server's own clock reading.)
  if (Math.abs(Number(pid[2]) - started) > 1 || pid[3]?.trim() !== port)
    return { skipped: `the server's data folder (${dataDir}) is not on this machine` };
  if ((await readdir(join(dataDir, 'pg_tblspc'))).length > 0)
    return { skipped: 'the server has tablespaces outside its data folder, which a base backup here does not copy' };
  // pg_backup_stop waits for the archive: one that is failing would cost the whole set, not only its base backup.
  const { rows: archiver } = await client.query<{ failing: boolean; failedAt: Date | null; wal: string | null }>(
    `SELECT last_failed_time > coalesce(last_archived_time, '-infinity') AS failing,
            last_failed_time AS "failedAt", last_failed_wal AS wal FROM pg_stat_archiver`,
  );
  const { failing, failedAt, wal } = archiver[0]!;
  if (failing)
    return {
      skipped: `WAL archiving is failing (segment ${wal} at ${failedAt?.toISOString()}; the server's log says why)`,
    };
  return { dataDir };
}

/** Relative paths of the data folder's folders and of the files to copy, as they are now. */
async function walk(dataDir: string, under = ''): Promise<{ directories: string[]; files: string[] }> {
  const found = { directories: [] as string[], files: [] as string[] };
  // A folder the server removed meanwhile is skipped; one this user cannot read fails the backup.
  const entries = await readdir(join(dataDir, under), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  for (const entry of entries) {
    const path = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory() || (entry.isSymbolicLink() && path === 'pg_wal')) {
      found.directories.push(path);
      if (EMPTIED.has(path) || entry.name.startsWith('pgsql_tmp')) continue;
      const inner = await walk(dataDir, path);
      found.directories.push(...inner.directories);
      found.files.push(...inner.files);
    } else if (entry.isFile() && !LEFT_OUT.has(entry.name) && !entry.name.startsWith('pgsql_tmp')) {
      found.files.push(path);
    }
  }
  return found;
}

/**
 * A base backup into the set, when the server archives its WAL and its data
 * folder is on this machine: `pg_backup_start` (a checkpoint), every file of
 * the data folder streamed into `postgres-base/` (a file may change or go
 * while it is read: the WAL from the start position repairs it on recovery,
 * and a file gone is one the WAL drops anyway), then `pg_backup_stop`, which
 * waits until the WAL up to its end is archived, and its `backup_label`.
 */
export async function copyBaseBackup(
  client: pg.Client,
  set: BackupSet,
  progress: Progress,
): Promise<BaseBackup | BaseBackupSkipped> {
  const here = await dataFolderHere(client);
  if ('skipped' in here) return here;
  const { dataDir } = here;
  const majorVersion = Number.parseInt(await readFile(join(dataDir, 'PG_VERSION'), 'utf8'), 10);
  const { rows: settings } = await client.query<{ database: string; archive: string | null }>(
    `SELECT current_database() AS database,
            CASE WHEN current_setting('archive_library') = 'basic_archive'
                 THEN current_setting('basic_archive.archive_directory', true) END AS archive`,
  );
  const { rows: started } = await client.query<{ lsn: string; file: string }>(
    `SELECT lsn::text, pg_walfile_name(lsn) AS file FROM pg_backup_start('polystore ' || now()::text, true) AS lsn`,
  );
  let stopped = false;
  try {
    const { directories, files } = await walk(dataDir);
    const bar = progress.bar('base backup', files.length);
    try {
      for (const path of files) {
        // Opened before the set's file is made: one the server removed in the meantime is skipped.
        const handle = await open(join(dataDir, path)).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return undefined;
          throw err;
        });
        if (handle) await set.write(`${BASE_FOLDER}/${path}`, handle.createReadStream());
        bar.increment(path);
      }
    } finally {
      bar.stop();
    }
    // Archiving that does not keep up fails the backup instead of waiting for ever.
    await client.query(`SET statement_timeout = '5min'`);
    const { rows } = await client.query<{ lsn: string; label: string; at: Date }>(
      `SELECT lsn::text, labelfile AS label, clock_timestamp() AS at FROM pg_backup_stop(true)`,
    );
    stopped = true;
    await client.query('RESET statement_timeout');
    const { lsn, label, at } = rows[0]!;
    await set.write(`${BASE_FOLDER}/backup_label`, [label]);
    return {
      majorVersion,
      systemIdentifier: await systemIdentifier(dataDir),
      database: settings[0]!.database,
      startLsn: started[0]!.lsn,
      startWalFile: started[0]!.file,
      stopLsn: lsn,
      consistentAt: at.toISOString(),
      walArchive: settings[0]!.archive,
      directories,
      files: set.filesUnder(BASE_FOLDER),
    };
  } finally {
    // A failed copy ends the backup mode too (the session's end would, as well).
    if (!stopped) await client.query('SELECT pg_backup_stop(false)').catch(() => undefined);
  }
}
