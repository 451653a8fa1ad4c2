import { GraphQLError } from 'graphql';
import pg from 'pg';
import { QueryFailedError } from 'typeorm';
import { thrownBy } from '@polystore/testing';
import { translateDbError, withDbErrors } from '../src/db/errors.js';

/** An error as node-postgres raises it for a failed statement. */
function pgError(code: string, message: string, fields: { constraint?: string; detail?: string } = {}) {
  return Object.assign(new pg.DatabaseError(message, message.length, 'error'), { code, ...fields });
}

const translated = (err: unknown) => thrownBy(() => translateDbError(err));

describe('translateDbError', () => {
  it('lets a GraphQLError through as it is', () => {
    const error = new GraphQLError('already translated', { extensions: { code: 'NOT_FOUND' } });
    expect(translated(error)).toBe(error);
  });

  it('reads the driver error inside a TypeORM QueryFailedError', () => {
    const error = new QueryFailedError(
      'INSERT …',
      [],
      pgError('23505', 'duplicate key', { constraint: 'users_email_key' }),
    );
    expect(translated(error).extensions).toEqual({ code: 'CONFLICT', field: 'email' });
  });

  describe('errors our migrations raise (class PS)', () => {
    it.each([
      ['PSINP', 'BAD_USER_INPUT'],
      ['PSNF0', 'NOT_FOUND'],
    ])('%s becomes %s with the message of the procedure', (code, apiCode) => {
      const error = translated(pgError(code, 'quantity must be positive'));
      expect(error.message).toBe('quantity must be positive');
      expect(error.extensions).toEqual({ code: apiCode });
    });

    it.each([
      ['PSSTK', 'INSUFFICIENT_STOCK', { productId: 'p1', requested: 3, available: 1 }],
      ['PSTRN', 'INVALID_TRANSITION', { from: 'SHIPPED', to: 'PENDING' }],
    ])('%s becomes %s with the JSON detail as extensions', (code, apiCode, detail) => {
      const error = translated(pgError(code, 'cannot do that', { detail: JSON.stringify(detail) }));
      expect(error.message).toBe('cannot do that');
      expect(error.extensions).toEqual({ ...detail, code: apiCode });
    });

    it('keeps the code when the detail is not JSON', () => {
      expect(translated(pgError('PSSTK', 'out of stock', { detail: 'not json' })).extensions).toEqual({
        code: 'INSUFFICIENT_STOCK',
      });
    });
  });

  describe('unique violations (23505)', () => {
    it.each([
      ['users_email_key', 'email'],
      ['products_sku_key', 'sku'],
    ])('on %s become CONFLICT naming the field %s', (constraint, field) => {
      const error = translated(pgError('23505', 'duplicate key value violates unique constraint', { constraint }));
      expect(error.message).toBe(`${field} is already taken`);
      expect(error.extensions).toEqual({ code: 'CONFLICT', field });
    });

    it('on another index become CONFLICT without a field', () => {
      const error = translated(pgError('23505', 'duplicate key', { constraint: 'orders_idempotency_key' }));
      expect(error.message).toBe('a record with these values already exists');
      expect(error.extensions).toEqual({ code: 'CONFLICT' });
    });
  });

  describe('foreign key violations (23503)', () => {
    it('on delete become CONFLICT: the row is still referenced', () => {
      const error = translated(
        pgError('23503', 'update or delete on table "products" violates foreign key constraint', {
          constraint: 'order_items_product_id_fkey',
        }),
      );
      expect(error.extensions).toEqual({ code: 'CONFLICT', constraint: 'order_items_product_id_fkey' });
    });

    it('on insert become NOT_FOUND: the referenced row is missing', () => {
      const error = translated(
        pgError('23503', 'insert or update on table "orders" violates foreign key constraint', {
          constraint: 'orders_user_id_fkey',
        }),
      );
      expect(error.message).toBe('a referenced record does not exist');
      expect(error.extensions).toEqual({ code: 'NOT_FOUND', constraint: 'orders_user_id_fkey' });
    });
  });

  it.each(['23514', '23502', '22P02', '22003'])(
    '%s (check, not null, bad text, out of range) becomes BAD_USER_INPUT without the SQL',
    (code) => {
      const error = translated(pgError(code, 'new row for relation "products" violates check', { constraint: 'c' }));
      expect(error.message).toBe('the input breaks a rule of the data model');
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', constraint: 'c' });
    },
  );

  it.each([
    ['57014', 'the database did not answer in time'],
    ['40001', 'the database is busy with conflicting writes; try again'],
    ['40P01', 'the database is busy with conflicting writes; try again'],
    ['25006', 'the database accepts no writes right now; try again'],
    ['57P01', 'the database is unavailable'],
    ['57P03', 'the database is unavailable'],
    ['08006', 'the database is unavailable'],
    ['08001', 'the database is unavailable'],
    ['08004', 'the database is unavailable'],
  ])('%s becomes SERVICE_UNAVAILABLE: %s', (code, message) => {
    const error = translated(pgError(code, 'canceling statement'));
    expect(error.message).toBe(message);
    expect(error.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
  });

  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    [
      'a reset wrapped as a cause',
      new Error('query failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
    ],
    ['a full pool', new Error('timeout exceeded when trying to connect')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
  ])('%s becomes SERVICE_UNAVAILABLE', (_case, err) => {
    expect(translated(err).extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('rethrows anything else unchanged, for the server to log and mask', () => {
    const unknown = pgError('42P01', 'relation "prodcts" does not exist');
    expect(() => translateDbError(unknown)).toThrow(unknown);
    const bug = new TypeError('cannot read properties of undefined');
    expect(() => translateDbError(bug)).toThrow(bug);
  });
});

describe('withDbErrors', () => {
  it('returns what the call returns', async () => {
    await expect(withDbErrors(() => Promise.resolve(7))).resolves.toBe(7);
  });

  it('translates what the call throws', async () => {
    await expect(withDbErrors(() => Promise.reject(pgError('57014', 'canceling statement')))).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
  });
});
