import { thrownBy } from './support/index.js';
import { decodeCursor, encodeCursor, MAX_PAGE_SIZE, pageSize, toConnection } from '../src/index.js';

const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('pageSize', () => {
  it('defaults to 20, or to the fallback given', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(null)).toBe(20);
    expect(pageSize(undefined, 5)).toBe(5);
  });

  it('accepts 1 to 100', () => {
    expect(pageSize(1)).toBe(1);
    expect(pageSize(MAX_PAGE_SIZE)).toBe(100);
  });

  it.each([0, -1, 101, 2.5, Number.NaN])('rejects first: %p as BAD_USER_INPUT on the argument', (first) => {
    const error = thrownBy(() => pageSize(first));
    expect(error.message).toBe('first must be between 1 and 100');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'first' });
  });
});

describe('cursors', () => {
  it('round-trip the sort key of a row', () => {
    const key = ['2026-01-31T12:00:00.000Z', 'a1b2', 7];
    expect(decodeCursor(encodeCursor(key), 3)).toEqual(key);
  });

  it('are URL-safe and opaque: base64url, no padding', () => {
    const cursor = encodeCursor(['??>>~~', 'ÿÿÿ']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('ÿ');
  });

  it.each([
    ['not base64 JSON', '!!!'],
    ['empty', ''],
    ['JSON that is not an array', forged({ id: 1 })],
    ['a key of another length', forged(['2026-01-31T12:00:00.000Z'])],
    ['a key with a boolean', forged([true, 'id'])],
    ['a key with null', forged([null, 'id'])],
    ['a key with an object', forged([{}, 'id'])],
  ])('reject a forged cursor (%s) as BAD_USER_INPUT on `after`', (_case, cursor) => {
    const error = thrownBy(() => decodeCursor(cursor, 2));
    expect(error.message).toBe('after is not a cursor returned by this field');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'after' });
  });
});

describe('toConnection', () => {
  const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
  const totalCount = () => Promise.resolve(42);
  const key = (row: { id: string }) => [row.id];

  it('reads the extra row fetched with LIMIT size + 1 as "there is a next page", and drops it', () => {
    const connection = toConnection(rows, 2, totalCount, key);
    expect(connection.edges.map((edge) => edge.node.id)).toEqual(['a', 'b']);
    expect(connection.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor(['b']) });
  });

  it('ends on a page with no more rows than its size', () => {
    const connection = toConnection(rows, 3, totalCount, key);
    expect(connection.edges).toHaveLength(3);
    expect(connection.pageInfo).toEqual({ hasNextPage: false, endCursor: encodeCursor(['c']) });
  });

  it('gives every edge the cursor of its own row, which the next page starts after', () => {
    const connection = toConnection(rows, 3, totalCount, key);
    expect(connection.edges.map((edge) => decodeCursor(edge.cursor, 1))).toEqual([['a'], ['b'], ['c']]);
  });

  it('has a null end cursor when empty, and counts only when asked', async () => {
    let counted = 0;
    const connection = toConnection([], 10, () => (counted++, totalCount()), key);
    expect(connection.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
    expect(counted).toBe(0);
    await expect(connection.totalCount()).resolves.toBe(42);
  });
});
