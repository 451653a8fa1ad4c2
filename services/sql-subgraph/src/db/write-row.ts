import { notFound, type CachedLoader } from '@polystore/common';

/**
 * Runs an aggregate's write of one row (`write` answers whether the row
 * existed), fails with NOT_FOUND when it did not, and drops the entity from
 * both cache levels so the answer and every replica see the change.
 */
export async function writeRow(
  loader: CachedLoader<unknown>,
  what: string,
  id: string,
  write: () => Promise<boolean>,
): Promise<void> {
  if (!(await write())) throw notFound(`${what} ${id} does not exist`);
  await loader.invalidate([id]);
}
