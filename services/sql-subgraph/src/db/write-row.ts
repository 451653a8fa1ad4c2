import { notFound } from '@polystore/common';
import type { SqlContext } from '../context.js';
import { withDbErrors } from './errors.js';

/**
 * Runs an UPDATE or DELETE of one row that ends in `RETURNING id` (with the
 * id as $1), fails with NOT_FOUND when no row matched, and drops the entity
 * from both cache levels so the answer and every replica see the change.
 */
export async function writeRow(
  context: SqlContext,
  type: 'User' | 'Product',
  id: string,
  sql: string,
  parameters: unknown[] = [],
): Promise<void> {
  const [rows] = await withDbErrors(() => context.db.query<[{ id: string }[], number]>(sql, [id, ...parameters]));
  if (rows.length === 0) throw notFound(`${type.toLowerCase()} ${id} does not exist`);
  await (type === 'User' ? context.loaders.user : context.loaders.product).invalidate([id]);
}
