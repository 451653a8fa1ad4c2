import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import type { Config } from '@polystore/common';
import { entities } from '../entities/index.js';
import { loadSqlMigrations } from './migrations.js';

/**
 * One pooled DataSource per process. The pool is bounded, every statement
 * has a timeout, and acquiring a connection gives up after the connect
 * timeout, so a database that is down fails requests quickly instead of
 * queueing them forever.
 */
export function createDataSource(
  postgres: Config['postgres'],
  options: {
    onQuery?: (sql: string, parameters?: unknown[]) => void;
    /** Only the first N migrations (a restore brings a database to a backup set's level). Default: all. */
    migrations?: number;
  } = {},
): DataSource {
  const { url } = postgres;
  if (!url) throw new Error('DATABASE_URL is not set');
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations: loadSqlMigrations().slice(0, options.migrations),
    migrationsTransactionMode: 'each',
    migrationsTableName: 'schema_migrations',
    applicationName: 'polystore-sql-subgraph',
    // The migrations own the schema; ids come from the core gen_random_uuid().
    installExtensions: false,
    // Query observation is for tests that count statements.
    logging: options.onQuery ? ['query'] : false,
    logger: options.onQuery ? new QueryObserver(options.onQuery) : undefined,
    extra: {
      max: postgres.poolMax,
      statement_timeout: postgres.statementTimeoutMs,
      connectionTimeoutMillis: postgres.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
    },
  });
}

class QueryObserver implements TypeOrmLogger {
  constructor(private readonly onQuery: (sql: string, parameters?: unknown[]) => void) {}
  logQuery(query: string, parameters?: unknown[]) {
    this.onQuery(query, parameters);
  }
  logQueryError() {}
  logQuerySlow() {}
  logSchemaBuild() {}
  logMigration() {}
  log() {}
}
