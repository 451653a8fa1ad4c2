import { loadConfig } from '@polystore/common';
import { testPostgres, type Disposable } from '@polystore/testing/stores';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src/db/data-source.js';
import { migrate } from '../src/db/migrate.js';
import { loadSqlMigrations } from '../src/db/migrations.js';

let db: DataSource;
let postgres: Disposable & { url: string };

beforeAll(async () => {
  postgres = await testPostgres();
  db = createDataSource(loadConfig({ DATABASE_URL: postgres.url }).postgres);
  await db.initialize();
});

afterAll(async () => {
  await db?.destroy();
  await postgres?.dispose();
});

const objects = () =>
  db.query<{ name: string }[]>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'i')
       AND c.relname NOT LIKE 'schema_migrations%' AND c.relname NOT LIKE 'PK\\_%'
     UNION ALL
     SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
     UNION ALL
     SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'
     ORDER BY 1`,
  );

describe('SQL migrations', () => {
  it('apply in order, revert completely, and apply again', async () => {
    const migrations = loadSqlMigrations();
    const applied = await db.runMigrations({ transaction: 'each' });
    expect(applied.map((migration) => migration.name)).toEqual(migrations.map((Migration) => new Migration().name));
    const schema = await objects();
    expect(schema.map((object) => object.name)).toEqual(
      expect.arrayContaining([
        'users',
        'products',
        'orders',
        'order_items',
        'order_history',
        'outbox',
        'user_order_summary',
        'product_sales',
        'place_order',
        'cancel_order',
      ]),
    );

    for (let i = 0; i < migrations.length; i++) await db.undoLastMigration({ transaction: 'each' });
    expect(await objects()).toEqual([]);

    await db.runMigrations({ transaction: 'each' });
    expect(await objects()).toEqual(schema);
    expect(await db.runMigrations({ transaction: 'each' })).toEqual([]);
  });
});

describe('replicas starting together', () => {
  it('migrate an empty database once: one applies, the others wait for it and find nothing left', async () => {
    const fresh = await testPostgres();
    const config = loadConfig({ DATABASE_URL: fresh.url }).postgres;
    const pools = [createDataSource(config), createDataSource(config), createDataSource(config)];
    try {
      await Promise.all(pools.map((pool) => pool.initialize()));
      const applied = await Promise.all(pools.map((pool) => migrate(pool, config)));
      const counts = applied.map((migrations) => migrations.length).sort((a, b) => a - b);
      expect(counts).toEqual([0, 0, loadSqlMigrations().length]);
      const [{ n }] = await pools[0]!.query<[{ n: number }]>('SELECT count(*)::integer AS n FROM schema_migrations');
      expect(n).toBe(loadSqlMigrations().length);
    } finally {
      for (const pool of pools) if (pool.isInitialized) await pool.destroy();
      await fresh.dispose();
    }
  });
});
