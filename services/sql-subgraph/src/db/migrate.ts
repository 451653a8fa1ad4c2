import type { DataSource, Migration } from 'typeorm';
import type { Config } from '@polystore/common';
import { createDataSource } from './data-source.js';

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
    const applied = await owner.runMigrations({ transaction: 'each' });
    const [{ role }] = await service.query<[{ role: string }]>('SELECT current_user AS role');
    await owner.query('SELECT grant_roles($1, $2)', [role, postgres.readerRole ?? null]);
    return applied;
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
