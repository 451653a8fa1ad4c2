import type { DataSource, EntitySchema, ObjectLiteral } from 'typeorm';
import { badUserInput, decodeCursor, pageSize, toConnection, type Connection, type PageArgs } from '@polystore/common';
import { withDbErrors } from './errors.js';

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

/**
 * Keyset pagination over (created_at, id): each page is one index range scan
 * however deep the client goes, and cursors stay valid while rows are added.
 */
export async function paginateByCreation<T extends ObjectLiteral & { id: string; createdAt: Date }>(
  db: DataSource,
  schema: EntitySchema<T>,
  args: PageArgs,
): Promise<Connection<T>> {
  const size = pageSize(args.first);
  const query = db
    .getRepository(schema)
    .createQueryBuilder('row')
    .orderBy('row.createdAt', 'ASC')
    .addOrderBy('row.id', 'ASC')
    .limit(size + 1);
  if (args.after) {
    const [after, id] = decodeCreationCursor(args.after);
    query.where('(row.created_at, row.id) > (:after, :id)', { after, id });
  }
  const rows = await withDbErrors(() => query.getMany());
  return toConnection(rows, size, () => withDbErrors(() => db.getRepository(schema).count()), creationCursorKey);
}
