import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { POSTGRES_ENV, postgresBinaries, serverMajorVersion, serverVerdict } from './postgres-binaries.js';
import { serverAccount } from './server-account.js';
import { ServerStartError, spawnServer } from './server-process.js';

const run = promisify(execFile);

/** A recovery that could not reach its target: the archive ends before it, or the base backup ends after it. */
export class RecoveryRefused extends Error {
  override readonly name = 'RecoveryRefused';
}

export interface RecoveredPostgres {
  /** Connection settings for a role of the recovered cluster: its socket, reachable by this user only. */
  connection(user: string, database: string): pg.ClientConfig;
  stop(): Promise<void>;
}

/** Where the recovered server listens: a Unix socket in the recovery's own folder, no TCP port. */
const SOCKET_PORT = 5432;

/**
 * Recovers the base backup laid out in `dataDir` (its files and its
 * `backup_label`) to `targetTime`: PostgreSQL replays the WAL segments of
 * `walArchiveDir` up to the last transaction committed at or before that
 * moment, then ends recovery. The server listens on a Unix socket in `workDir`
 * only (no TCP, trust for that socket alone), never archives (its new
 * timeline must not reach the archive), and is stopped by the caller once read.
 * A target the WAL does not reach is `RecoveryRefused`, with PostgreSQL's reason.
 */
export async function recoverEmbeddedPostgres({
  dataDir,
  workDir,
  walArchiveDir,
  targetTime,
  as,
  startTimeoutMs = 30 * 60_000,
}: {
  dataDir: string;
  /** A private folder for the socket, the access file and the server's log. */
  workDir: string;
  walArchiveDir: string;
  targetTime: Date;
  /** A role and database of the cluster, to know when recovery has ended. */
  as: { user: string; database: string };
  startTimeoutMs?: number;
}): Promise<RecoveredPostgres> {
  const binaries = await postgresBinaries();
  const serverVersion = await embeddedMajorVersion();
  const dataVersion = Number.parseInt(await readFile(join(dataDir, 'PG_VERSION'), 'utf8'), 10);
  if (dataVersion !== serverVersion)
    throw new RecoveryRefused(
      `the base backup is of PostgreSQL ${dataVersion}; the embedded server is PostgreSQL ${serverVersion}`,
    );
  const socketDir = join(workDir, 'socket');
  const hbaFile = join(workDir, 'pg_hba.conf');
  await mkdir(socketDir, { mode: 0o700 });
  await writeFile(hbaFile, 'local all all trust\n', { mode: 0o600 });
  await writeFile(join(dataDir, 'recovery.signal'), '', { mode: 0o600 });
  await chmod(dataDir, 0o700);
  const account = await serverAccount('postgres');
  if (account) await run('chown', ['-R', `${account.uid}:${account.gid}`, workDir, dataDir]);

  const settings = {
    listen_addresses: '',
    unix_socket_directories: socketDir,
    hba_file: hbaFile,
    lc_messages: 'C',
    archive_mode: 'off',
    // The restore's only outbound step: a copy from the archive, by PostgreSQL's own shell call
    // (a % of the folder's name doubled, or PostgreSQL would read it as one of its own).
    restore_command: `cp ${shellQuoted(walArchiveDir).replaceAll('%', '%%')}/%f "%p"`,
    // Nothing of the source's configuration may touch the archive, or load what these binaries lack.
    archive_cleanup_command: '',
    recovery_end_command: '',
    shared_preload_libraries: '',
    // A numeric offset: zone names such as Z are not known yet when the server reads its settings.
    recovery_target_time: targetTime.toISOString().replace('T', ' ').replace('Z', '+00'),
    recovery_target_action: 'promote',
    // The source's standbys are not this server's: commits must not wait for them.
    synchronous_standby_names: '',
  };
  const connection = (user: string, database: string): pg.ClientConfig => ({
    host: socketDir,
    port: SOCKET_PORT,
    user,
    database,
  });
  const server = await spawnServer({
    command: binaries.postgres,
    args: [
      ...['-D', dataDir, '-p', String(SOCKET_PORT)],
      ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    logFile: join(workDir, 'postgres.log'),
    env: POSTGRES_ENV,
    uid: account?.uid,
    gid: account?.gid,
    startTimeoutMs,
    ready: () => recoveryEnded(connection(as.user, as.database)),
  }).catch((err: unknown) => {
    if (err instanceof ServerStartError && /FATAL/.test(err.serverLog)) {
      throw new RecoveryRefused(
        `PostgreSQL could not recover to ${targetTime.toISOString()}: ${serverVerdict(err.serverLog)}`,
      );
    }
    throw err;
  });
  // Immediate shutdown: the folder is thrown away, and must not outlive the restore in clear.
  return { connection, stop: () => server.stop('SIGQUIT') };
}

/** Resolves once the server answers and has left recovery (promoted at the target). */
async function recoveryEnded(settings: pg.ClientConfig) {
  const client = new pg.Client({ ...settings, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering');
    if (rows[0]!.recovering) throw new Error('still recovering');
  } finally {
    await client.end().catch(() => undefined);
  }
}

const shellQuoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** The major version of the embedded PostgreSQL server, which a base backup must be of to be recovered here. */
export async function embeddedMajorVersion(): Promise<number> {
  return serverMajorVersion((await postgresBinaries()).postgres);
}
