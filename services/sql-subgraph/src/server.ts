import type { DataSource } from 'typeorm';
import { connectServiceCache, createSubgraphServer, type ServiceContext, type SubgraphServer } from '@polystore/common';
import { createContext } from './context.js';
import { createDataSource } from './db/data-source.js';
import { buildSchema } from './schema.js';

export interface SqlSubgraph extends SubgraphServer {
  db: DataSource;
}

/** Builds the relational subgraph: connects, migrates, and returns a server that is not yet listening. */
export async function createSqlSubgraph({ config, log, teardown }: ServiceContext): Promise<SqlSubgraph> {
  const db = createDataSource(config.postgres);
  await db.initialize();
  teardown.add('postgres pool', () => db.destroy());
  const applied = await db.runMigrations({ transaction: 'each' });
  if (applied.length > 0) log.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');

  const { cache } = await connectServiceCache({ config, log, teardown }, 'sql');

  const server = await createSubgraphServer({
    name: 'sql-subgraph',
    schema: buildSchema(),
    context: () => createContext(db, cache),
    readiness: [{ name: 'postgres', check: () => db.query('SELECT 1') }],
    log,
    teardown,
  });
  return { ...server, db };
}
