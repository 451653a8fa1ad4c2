import type { DataSource } from 'typeorm';
import { isUuid, orderByKeys, type Connection, type PageArgs } from '@polystore/common';
import { UserSchema, type UserEntity } from '../entities/index.js';
import { withDbErrors } from '../db/errors.js';
import { creationPage } from './keyset.js';
import { modify, select, type Queryable } from '../db/statements.js';

/** Every statement on `users`. A user's orders and their summary are the orders aggregate's. */

/** A users row as a UserEntity. */
const USER = `id, email, name, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** One statement for a batch of ids (users_pkey); null for ids without a row. */
export async function byIds(db: Queryable, ids: readonly string[]): Promise<(UserEntity | null)[]> {
  const valid = ids.filter(isUuid);
  const rows =
    valid.length === 0
      ? []
      : await select<UserEntity>(db, `SELECT ${USER} FROM users WHERE id = ANY ($1::uuid[])`, [valid]);
  return orderByKeys(ids, rows, (row) => row.id);
}

/** Users oldest first, keyset-paginated on (created_at, id) (users_created_at_id_idx). */
export function page(db: Queryable, args: PageArgs): Promise<Connection<UserEntity>> {
  return creationPage<UserEntity>(db, 'users', USER, args);
}

/** Inserts a user; the database fills id and timestamps (users_email_key makes a taken email CONFLICT). */
export function insert(db: DataSource, user: Pick<UserEntity, 'email' | 'name'>): Promise<UserEntity> {
  const repository = db.getRepository(UserSchema);
  return withDbErrors(() => repository.save(repository.create(user)));
}

/** Deletes a user; false when there was none. A user with orders is still referenced (CONFLICT). */
export async function remove(db: Queryable, id: string): Promise<boolean> {
  return (await modify(db, 'DELETE FROM users WHERE id = $1 RETURNING id', [id])).length > 0;
}
