import type { DataSource } from 'typeorm';
import {
  cachedEntity,
  createInvalidator,
  jsonWithDates,
  type CacheSettings,
  type Invalidations,
} from '@polystore/common';
import * as orders from './store/orders.js';
import * as products from './store/products.js';
import * as users from './store/users.js';
import type { OrderEntity, OrderItemModel, ProductEntity, UserEntity } from './entities/index.js';

/**
 * What the sql-subgraph keeps in Redis (`<prefix>sql:<Type>:<id>`): created
 * once per service; loaders come from it per request, and writers, the relay
 * and subscriptions invalidate through it.
 */
export function createSqlCache(db: DataSource, settings: CacheSettings) {
  const withDates = jsonWithDates<{ createdAt: Date; updatedAt: Date }>('createdAt', 'updatedAt');
  return {
    user: cachedEntity<UserEntity>(settings, 'User', {
      load: (ids) => users.byIds(db, ids),
      deserialize: withDates as (raw: string) => UserEntity,
    }),
    product: cachedEntity<ProductEntity>(settings, 'Product', {
      load: (ids) => products.byIds(db, ids),
      deserialize: withDates as (raw: string) => ProductEntity,
    }),
    order: cachedEntity<OrderEntity>(settings, 'Order', {
      load: (ids) => orders.byIds(db, ids),
      deserialize: withDates as (raw: string) => OrderEntity,
    }),
    // Items never change once an order exists, so they cache well.
    orderItems: cachedEntity<OrderItemModel[]>(settings, 'OrderItems', {
      load: (orderIds) => orders.itemsByOrderIds(db, orderIds),
    }),
  };
}

export type SqlCache = ReturnType<typeof createSqlCache>;

/**
 * What each domain event makes stale here. The outbox relay applies it to
 * every event it publishes, which covers writes made outside the API (the
 * resolvers also invalidate what they write, for their own answer).
 */
export const invalidations: Invalidations<keyof SqlCache> = {
  OrderPlaced: ({ orderId }) => ({ order: [orderId] }),
  OrderStatusChanged: ({ orderId }) => ({ order: [orderId] }),
  InventoryChanged: ({ productId }) => ({ product: [productId] }),
  ProductUpdated: ({ productId }) => ({ product: [productId] }),
  ProductDeleted: ({ productId }) => ({ product: [productId] }),
  UserUpdated: ({ userId }) => ({ user: [userId] }),
  UserDeleted: ({ userId }) => ({ user: [userId] }),
};

export const createSqlInvalidator = (cache: SqlCache) => createInvalidator(cache, invalidations);
