import { encodeCursor } from '@polystore/common';
import { thrownBy } from '@polystore/testing';
import { creationCursorKey, decodeCreationCursor } from '../src/store/keyset.js';

const row = { createdAt: new Date('2026-01-31T12:00:00.123Z'), id: '0b3c1a6e-5f2d-4c8b-9e71-2a4d6f8b0c13' };

describe('creation cursors', () => {
  it('key a row by its creation time (ISO, millisecond precision) and id', () => {
    expect(creationCursorKey(row)).toEqual(['2026-01-31T12:00:00.123Z', row.id]);
  });

  it('decode to the position the row stands at', () => {
    const [createdAt, id] = decodeCreationCursor(encodeCursor(creationCursorKey(row)));
    expect(createdAt).toEqual(row.createdAt);
    expect(id).toBe(row.id);
  });

  it.each([
    ['a date that is not one', encodeCursor(['yesterday', row.id])],
    ['a numeric id', encodeCursor([row.createdAt.toISOString(), 42])],
    ['a single key', encodeCursor([row.id])],
    ['three keys', encodeCursor([row.createdAt.toISOString(), row.id, 'x'])],
    ['no JSON at all', 'bm90IGEgY3Vyc29y'],
  ])('reject a forged cursor with %s as BAD_USER_INPUT on `after`', (_case, cursor) => {
    const error = thrownBy(() => decodeCreationCursor(cursor));
    expect(error.message).toBe('after is not a cursor returned by this field');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'after' });
  });
});
