import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@polystore/embedded';

const run = promisify(execFile);

/**
 * Servers of our own for fault tests: the test stops and restarts them to
 * see how a service behaves while a store is down. They use the machine's
 * PostgreSQL and Redis binaries on a free port, never the shared servers.
 */
export interface PrivateServer {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

async function postgresBin(name: string): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql')).sort();
  return `/usr/lib/postgresql/${versions.at(-1)}/bin/${name}`;
}

/** A throwaway PostgreSQL cluster (initdb as user `postgres` when running as root). */
export async function startPrivatePostgres(): Promise<PrivateServer> {
  const dir = await mkdtemp(join(tmpdir(), 'polystore-pg-'));
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const exec = async (bin: string, args: string[]) => {
    const path = await postgresBin(bin);
    return asRoot ? run('runuser', ['-u', 'postgres', '--', path, ...args]) : run(path, args);
  };
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    await chmod(dir, 0o700);
  }
  await exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync']);
  const start = async () => {
    // -l: the server must not hold our pipes open, or execFile never returns.
    await exec('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      join(dir, 'server.log'),
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off`,
      '-w',
      '-t',
      '30',
      'start',
    ]);
  };
  const stop = async () => {
    await exec('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A throwaway Redis. It keeps nothing on disk, unless `appendOnly`: then its
 * append-only file (fsynced on every write) lives in a folder of its own, and
 * `start` after a `stop` (SIGKILL) brings back every write it acknowledged, as
 * the embedded Redis of `npm start` does.
 */
export async function startPrivateRedis({ appendOnly = false } = {}): Promise<PrivateServer> {
  const port = await freePort();
  const dir = appendOnly ? await mkdtemp(join(tmpdir(), 'polystore-redis-')) : undefined;
  const persistence = dir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir] : ['--appendonly', 'no'];
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence], {
      stdio: 'ignore',
    });
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        await run('redis-cli', ['-p', String(port), 'ping']);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error('private redis did not start within 5 s');
  };
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    async dispose() {
      await stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
