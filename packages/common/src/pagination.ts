import { badUserInput } from './errors.js';

export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Counted only when a client selects it. */
  totalCount: () => Promise<number>;
}

/** Validates `first` (1..100, default 20). */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, { argumentName: 'first' });
  }
  return size;
}

/** Cursors are opaque to clients: base64url JSON of the sort key of the last row. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((part) => typeof part === 'string' || typeof part === 'number')
    ) {
      return key as (string | number)[];
    }
  } catch {
    // fall through to the error below
  }
  throw badUserInput('after is not a cursor returned by this field', { argumentName: 'after' });
}

/**
 * Builds a connection from rows fetched with `LIMIT size + 1`: the extra row
 * only tells whether another page exists.
 */
export function toConnection<T>(
  rows: readonly T[],
  size: number,
  totalCount: () => Promise<number>,
  cursorKey: (row: T) => readonly (string | number)[],
): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: encodeCursor(cursorKey(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
