import type { DataSource, EntityManager } from 'typeorm';
import { withDbErrors } from './errors.js';
import { withRetry } from './retry.js';

/** The pool, or one transaction's connection. */
export type Queryable = Pick<DataSource | EntityManager, 'query'>;

/**
 * The ways the store modules reach PostgreSQL (docs/sql.md, "Statements"): each
 * runs one parameterised statement and turns a failure into the API's error.
 */

/** A SELECT: rows as its select list names them. */
export function select<T>(db: Queryable, sql: string, parameters: unknown[] = []): Promise<T[]> {
  return withDbErrors(() => db.query<T[]>(sql, parameters));
}

/** An UPDATE or DELETE … RETURNING (TypeORM answers those with `[rows, count]`): the rows it changed. */
export async function modify<T>(db: Queryable, sql: string, parameters: unknown[] = []): Promise<T[]> {
  const [rows] = await withDbErrors(() => db.query<[T[], number]>(sql, parameters));
  return rows;
}

/**
 * A stored procedure call. It runs as one statement in its own transaction, so
 * a deadlock or serialization failure left nothing behind and is retried; the
 * retry sees the driver's error, and only the last failure is translated.
 */
export function call<T>(db: Queryable, sql: string, parameters: unknown[] = []): Promise<T[]> {
  return withDbErrors(() => withRetry(() => db.query<T[]>(sql, parameters)));
}
