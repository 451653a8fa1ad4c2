import type { DataSource, Migration } from 'typeorm';
import type { Config } from '@polystore/common';
import { createDataSource } from './data-source.js';
import { loadSqlMigrations } from './migrations.js';

/**
 * Runs the pending migrations as the schema's owner (`DATABASE_OWNER_URL`,
 * else the services' own connection, whose role then owns the schema), then
 * has the owner grant the services' role and the reporting role what they
 * need (`grant_roles` in the migrations: the privileges are part of the
 * schema). `service` is the services' pool: its role is the one granted.
 */
export async function migrate(service: DataSource, postgres: Config['postgres']): Promise<Migration[]> {
  const owner = postgres.ownerUrl ? createDataSource({ ...postgres, url: postgres.ownerUrl, poolMax: 1 }) : service;
  try {
    if (owner !== service) await owner.initialize();
    return await whileMigrationsLocked(postgres, async () => {
      const applied = await owner.runMigrations({ transaction: 'each' });
      const [{ role }] = await service.query<[{ role: string }]>('SELECT current_user AS role');
      await owner.query('SELECT grant_roles($1, $2)', [role, postgres.readerRole ?? null]);
      return applied;
    });
  } catch (err) {
    // 42501: a least-privileged DATABASE_URL was given without the owner's URL.
    if (!postgres.ownerUrl && (err as { code?: string }).code === '42501') {
      throw new Error(
        `DATABASE_URL's role may not change the schema (${(err as Error).message}): ` +
          `set DATABASE_OWNER_URL to the schema owner's connection (docs/sql.md, "Roles")`,
        { cause: err },
      );
    }
    throw err;
  } finally {
    if (owner !== service && owner.isInitialized) await owner.destroy();
  }
}

/** The advisory lock every migration of this database takes: "polystore migrations" as a bigint. */
const MIGRATION_LOCK = '7089510541837193216';

/**
 * Runs `work` holding the database's migration lock (a session advisory lock, on a
 * connection of its own, so a pool of one is not starved): replicas that start
 * together migrate one after another, and the later ones find nothing left to
 * apply, where each had read the same pending list and applied it again (a
 * duplicate table, or one replica serving while another's migration was half done).
 */
async function whileMigrationsLocked<T>(postgres: Config['postgres'], work: () => Promise<T>): Promise<T> {
  const lock = createDataSource({ ...postgres, poolMax: 1 });
  await lock.initialize();
  try {
    await lock.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK]);
    return await work();
  } finally {
    // Ending the session releases the lock.
    await lock.destroy();
  }
}

/** `npm run migrate -- down`: reverts the last migration, as the schema's owner. */
export async function revertLast(postgres: Config['postgres']): Promise<void> {
  const owner = createDataSource({ ...postgres, url: postgres.ownerUrl ?? postgres.url, poolMax: 1 });
  await owner.initialize();
  try {
    await owner.undoLastMigration({ transaction: 'each' });
  } finally {
    await owner.destroy();
  }
}

/** The migrations this version of the product knows, in the order they run (their TypeORM names). */
export function knownMigrations(): string[] {
  return loadSqlMigrations().map((migration) => new migration().name!);
}

/**
 * Brings a database to exactly the first `count` migrations, as the schema's
 * owner: reverts those past it (a restore into a database a newer version
 * created), then applies the missing ones. No grants: `migrate` runs after
 * the rows are in and grants as usual.
 */
export async function migrateTo(postgres: Config['postgres'], count: number): Promise<void> {
  const url = postgres.ownerUrl ?? postgres.url;
  const all = createDataSource({ ...postgres, url, poolMax: 1 });
  await all.initialize();
  try {
    const applied = async () => {
      const [{ exists }] = await all.query<[{ exists: boolean }]>(
        "SELECT to_regclass('schema_migrations') IS NOT NULL AS exists",
      );
      if (!exists) return 0;
      const [{ n }] = await all.query<[{ n: number }]>('SELECT count(*)::integer AS n FROM schema_migrations');
      return n;
    };
    for (let past = (await applied()) - count; past > 0; past--) await all.undoLastMigration({ transaction: 'each' });
  } finally {
    await all.destroy();
  }
  const upTo = createDataSource({ ...postgres, url, poolMax: 1 }, { migrations: count });
  await upTo.initialize();
  try {
    await upTo.runMigrations({ transaction: 'each' });
  } finally {
    await upTo.destroy();
  }
}
