import type { Queryable } from '@polystore/sql-subgraph/operations';
import { ordersByIds, productsByIds, usersByIds } from '@polystore/sql-subgraph/operations';

/** Documents or keys read per batch: one query per store for each, whatever the store's size. */
export const BATCH_SIZE = 500;

/** Groups what a cursor yields into arrays of up to `size`, read as they come (never the whole store at once). */
export async function* inBatches<T>(items: AsyncIterable<T>, size = BATCH_SIZE): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The PostgreSQL entities other stores reference, each read by id through the sql-subgraph's store layer. */
const READ_BY_IDS = { products: productsByIds, users: usersByIds, orders: ordersByIds } as const;
export type SqlEntity = keyof typeof READ_BY_IDS;

/** Which of these ids have no row in PostgreSQL (one statement for the batch). */
export async function missingIn(sql: Queryable, entity: SqlEntity, ids: Iterable<string>): Promise<Set<string>> {
  const distinct = [...new Set(ids)];
  if (distinct.length === 0) return new Set();
  const rows = await READ_BY_IDS[entity](sql, distinct);
  return new Set(distinct.filter((_, i) => rows[i] === null));
}
