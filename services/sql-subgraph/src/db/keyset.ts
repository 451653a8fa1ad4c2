import { badUserInput, decodeCursor, toConnection, type Connection } from '@polystore/common';

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
