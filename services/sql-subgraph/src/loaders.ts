import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { createCachedLoader, jsonWithDates, orderByKeys, type CacheSettings } from '@polystore/common';
import { ProductSchema, UserSchema, type ProductEntity, type UserEntity } from './entities/index.js';
import { withDbErrors } from './db/errors.js';
import { isUuid } from './validation.js';

/** Cache keys are `<prefix>sql:<Type>:<id>`; writers use the same helper to invalidate. */
export const entityCacheKey = (settings: CacheSettings, type: 'User' | 'Product', id: string) =>
  `${settings.keyPrefix}${type}:${id}`;

/** Fresh loaders per request: batching and de-duplication inside one request only. */
export function createLoaders(db: DataSource, settings: CacheSettings) {
  const byIds =
    <T extends { id: string }>(schema: typeof UserSchema | typeof ProductSchema) =>
    async (ids: readonly string[]) => {
      const valid = ids.filter(isUuid);
      const rows =
        valid.length === 0
          ? []
          : await withDbErrors(() => db.getRepository<T>(schema as never).findBy({ id: In(valid) } as never));
      return orderByKeys(ids, rows, (row) => row.id);
    };
  return {
    user: createCachedLoader<UserEntity>({
      cache: settings.cache,
      keyPrefix: entityCacheKey(settings, 'User', ''),
      ttlSeconds: settings.ttlSeconds,
      load: byIds<UserEntity>(UserSchema),
      deserialize: jsonWithDates<UserEntity>('createdAt', 'updatedAt'),
    }),
    product: createCachedLoader<ProductEntity>({
      cache: settings.cache,
      keyPrefix: entityCacheKey(settings, 'Product', ''),
      ttlSeconds: settings.ttlSeconds,
      load: byIds<ProductEntity>(ProductSchema),
      deserialize: jsonWithDates<ProductEntity>('createdAt', 'updatedAt'),
    }),
  };
}

export type SqlLoaders = ReturnType<typeof createLoaders>;
