import { badUserInput, decodeCursor, pageSize, toConnection, type Connection, type PageArgs } from '@polystore/common';
import { select, type Queryable } from '../db/statements.js';

/** The (created_at, id) position a creation-ordered cursor stands for. */
export function decodeCreationCursor(cursor: string): [Date, string] {
  const [createdAt, id] = decodeCursor(cursor, 2);
  const after = new Date(createdAt!);
  if (typeof id !== 'string' || Number.isNaN(after.getTime())) {
    throw badUserInput('after is not a cursor returned by this field', { argumentName: 'after' });
  }
  return [after, id];
}

/** The cursor of a row in a creation-ordered list. */
export const creationCursorKey = (row: { createdAt: Date; id: string }) => [row.createdAt.toISOString(), row.id];

/** A page of a creation-ordered list, from rows read with `LIMIT size + 1`. */
export const creationConnection = <T extends { createdAt: Date; id: string }>(
  rows: readonly T[],
  size: number,
  totalCount: () => Promise<number>,
): Connection<T> => toConnection(rows, size, totalCount, creationCursorKey);

/**
 * The keyset condition of a creation-ordered list: rows after the position held
 * by parameters `$at` (created_at) and `$at+1` (id), in `order`; both NULL for
 * the first page. A row comparison, so an index on (…, created_at, id) serves it.
 */
export const afterCreation = (order: 'asc' | 'desc', at: number) =>
  `($${at}::timestamptz IS NULL OR (created_at, id) ${order === 'asc' ? '>' : '<'} ($${at}::timestamptz, $${at + 1}::uuid))`;

/**
 * A whole table oldest first, keyset-paginated on (created_at, id): an index
 * range scan on `<table>_created_at_id_idx` at any depth; the count is read
 * only when asked for. `columns` is the aggregate's select list.
 */
export async function creationPage<T extends { createdAt: Date; id: string }>(
  db: Queryable,
  table: 'users' | 'products',
  columns: string,
  args: PageArgs,
): Promise<Connection<T>> {
  const size = pageSize(args.first);
  const [after, afterId] = args.after ? decodeCreationCursor(args.after) : [null, null];
  const rows = await select<T>(
    db,
    `SELECT ${columns} FROM ${table}
     WHERE ${afterCreation('asc', 2)}
     ORDER BY created_at, id
     LIMIT $1`,
    [size + 1, after, afterId],
  );
  const count = async () =>
    (await select<{ count: number }>(db, `SELECT count(*)::integer AS count FROM ${table}`))[0]!.count;
  return creationConnection(rows, size, count);
}
