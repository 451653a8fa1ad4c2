import { createHash } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { MongoClient, ObjectId } from 'mongodb';
import pg from 'pg';
import {
  findRedisServer,
  freePort,
  IncompatibleDataError,
  prepareEmbeddedRoles,
  startEmbeddedMongo,
  startEmbeddedPostgres,
  startEmbeddedRedis,
  type EmbeddedStore,
} from '../src/index.js';
import { isRunning } from '../src/embedded/server-process.js';

/**
 * The servers `npm start` runs when no store URL is configured: the real
 * PostgreSQL and a private Redis, each on a folder that survives restarts.
 */
let dir: string;
let serverVersion: number;
const running: EmbeddedStore[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polystore-embedded-'));
  // As root the server runs as `postgres`, which must reach the folder.
  await chmod(dir, 0o755);
});

afterAll(async () => {
  for (const store of running) await store.stop();
  await rm(dir, { recursive: true, force: true });
});

async function fingerprint(folder: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(folder, { recursive: true })).sort()) {
    hash.update(name);
    hash.update(await readFile(join(folder, name)).catch(() => Buffer.from('<dir>')));
  }
  return hash.digest('hex');
}

describe('embedded PostgreSQL', () => {
  const dataDir = () => join(dir, 'postgres');
  /** PostgreSQL started again on the folder, stopped in afterAll. */
  const restart = async () => {
    const server = await startEmbeddedPostgres({ dataDir: dataDir(), port: await freePort() });
    running.push(server);
    return server;
  };
  /** The counter the first test wrote, read in a session of its own. */
  const counter = async (server: EmbeddedStore) => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return (await client.query('SELECT n FROM counter')).rows;
    } finally {
      await client.end();
    }
  };

  it('serves concurrent transactions on a pool and keeps data across a restart', async () => {
    const first = await startEmbeddedPostgres({ dataDir: dataDir(), port: await freePort() });
    serverVersion = first.version;
    expect(serverVersion).toBeGreaterThanOrEqual(15);
    const pool = new pg.Pool({ connectionString: first.url, max: 20 });
    // pool.end() resolves before the server has seen every connection close; the stop below may end the rest.
    pool.on('error', () => undefined);
    await pool.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
    await pool.query('INSERT INTO counter VALUES (1, 0)');
    // 50 read-modify-write transactions with row locks: a single session would interleave them.
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const { rows } = await client.query<{ n: number }>('SELECT n FROM counter WHERE id = 1 FOR UPDATE');
          await client.query('UPDATE counter SET n = $1 WHERE id = 1', [rows[0]!.n + 1]);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      }),
    );
    await pool.end();
    await first.stop();

    expect(await counter(await restart())).toEqual([{ n: 50 }]);
  });

  it('stops a server an earlier launcher left running on the same folder, then opens it', async () => {
    const leftover = await readFile(join(dataDir(), 'postmaster.pid'), 'utf8');
    const leftoverPid = Number.parseInt(leftover, 10);
    // `running[0]` stands for a launcher that was killed: nobody stopped its server.
    const next = await restart();
    expect(isRunning(leftoverPid)).toBe(false);
    expect(await counter(next)).toEqual([{ n: 50 }]);
  });

  it("hands a schema the superuser created to the owner role, and lets the services' role in without rights", async () => {
    const server = running.at(-1)!;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    // A data folder from before the roles: the superuser migrated it.
    await admin.query(`CREATE TYPE mood AS ENUM ('calm');
      CREATE TABLE legacy (id int PRIMARY KEY, m mood);
      CREATE VIEW legacy_view AS SELECT * FROM legacy;
      CREATE FUNCTION legacy_one() RETURNS int LANGUAGE sql AS 'SELECT 1'`);
    const env = await prepareEmbeddedRoles(server.url);
    expect(await prepareEmbeddedRoles(server.url)).toEqual(env); // again on every start: nothing left to do
    const { rows } = await admin.query<{ owner: string }>(
      `SELECT DISTINCT owner FROM (
         SELECT relowner::regrole::text AS owner FROM pg_class WHERE relnamespace = 'public'::regnamespace
         UNION ALL SELECT proowner::regrole::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace
         UNION ALL SELECT typowner::regrole::text FROM pg_type WHERE typnamespace = 'public'::regnamespace) o`,
    );
    await admin.end();
    expect(rows).toEqual([{ owner: 'polystore_owner' }]);
    expect(env.DATABASE_READER_ROLE).toBe('polystore_reader');

    const owner = new pg.Client({ connectionString: env.DATABASE_OWNER_URL });
    await owner.connect();
    await owner.query('CREATE TABLE created_by_owner (id int)');
    await owner.end();
    // The migrations grant the services' role what it needs; until then it may read nothing.
    const service = new pg.Client({ connectionString: env.DATABASE_URL });
    await service.connect();
    expect((await service.query<{ role: string }>('SELECT current_user AS role')).rows).toEqual([
      { role: 'polystore_service' },
    ]);
    await expect(service.query('SELECT * FROM legacy')).rejects.toMatchObject({ code: '42501' });
    await service.end();
  });

  it('refuses a folder written by another PostgreSQL (PGlite) and leaves it untouched', async () => {
    const stale = join(dir, 'stale');
    await mkdir(join(stale, 'base'), { recursive: true });
    await writeFile(join(stale, 'PG_VERSION'), '17\n');
    await writeFile(join(stale, 'base', 'data'), 'rows of an older server');
    const before = await fingerprint(stale);
    const start = startEmbeddedPostgres({ dataDir: stale, port: await freePort() });
    await expect(start).rejects.toThrow(IncompatibleDataError);
    await expect(start).rejects.toThrow(/PostgreSQL 17.*Nothing in it was changed.*move that folder away/s);
    expect(await fingerprint(stale)).toBe(before);
  });

  it('refuses a data folder that belongs to another account', async () => {
    if (process.getuid?.() !== 0) return; // only root runs the server as another account
    const foreign = join(dir, 'foreign');
    await mkdir(foreign, { recursive: true });
    await writeFile(join(foreign, 'PG_VERSION'), `${serverVersion}\n`);
    await chown(foreign, 0, 0);
    await expect(startEmbeddedPostgres({ dataDir: foreign, port: await freePort() })).rejects.toThrow(
      /another account/,
    );
  });

  it('refuses a non-empty folder that holds no database', async () => {
    const other = join(dir, 'other');
    await mkdir(other, { recursive: true });
    await writeFile(join(other, 'notes.txt'), 'keep me');
    await expect(startEmbeddedPostgres({ dataDir: other, port: await freePort() })).rejects.toThrow(
      /not empty.*nothing was changed/,
    );
    expect(await readFile(join(other, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});

describe('embedded Redis', () => {
  it('is found on the PATH, or reported missing', async () => {
    expect(await findRedisServer('/nonexistent')).toBeUndefined();
    expect(await findRedisServer()).toMatch(/redis-server$/);
  });

  it('keeps what was written in its append-only file across a restart', async () => {
    const binary = (await findRedisServer())!;
    const dataDir = join(dir, 'redis');
    const first = await startEmbeddedRedis({ dataDir, port: await freePort(), binary });
    const client = new Redis(first.url);
    await client.set('greeting', 'hello');
    await client.xadd('events', '*', 'type', 'OrderPlaced');
    await client.quit();
    await first.stop();

    const second = await startEmbeddedRedis({ dataDir, port: await freePort(), binary });
    running.push(second);
    const again = new Redis(second.url);
    expect(await again.get('greeting')).toBe('hello');
    expect(await again.xlen('events')).toBe(1);
    await again.quit();
  });
});

describe('embedded MongoDB', () => {
  it('keeps documents with their types across a restart, and enforces _id under concurrent inserts', async () => {
    const folder = join(dir, 'mongo');
    const port = await freePort();
    const first = await startEmbeddedMongo({ dataDir: folder, port });
    running.push(first);
    const client = await MongoClient.connect(first.url, { serverMonitoringMode: 'poll' });
    const collection = client.db('shop').collection('reviews');
    const _id = new ObjectId();
    const inserts = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => collection.insertOne({ _id, i, at: new Date('2026-01-01T00:00:00Z') })),
    );
    expect(inserts.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    await collection.createIndex({ at: -1 }, { name: 'reviews_at' });
    await client.close();
    await first.stop();
    running.pop();

    const second = await startEmbeddedMongo({ dataDir: folder, port });
    running.push(second);
    const again = await MongoClient.connect(second.url, { serverMonitoringMode: 'poll' });
    const reopened = again.db('shop').collection('reviews');
    const stored = await reopened.findOne({ _id });
    expect(stored!.at).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(await reopened.countDocuments({ at: { $lt: new Date('2026-02-01T00:00:00Z') } })).toBe(1);
    expect((await reopened.listIndexes().toArray()).map((index) => index.name)).toContain('reviews_at');
    await again.close();
  });
});
