import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import {
  cachedEntity,
  createInvalidator,
  groupByKeys,
  isUuid,
  jsonWithDates,
  orderByKeys,
  type CacheSettings,
  type Invalidations,
} from '@polystore/common';
import {
  OrderSchema,
  ProductSchema,
  UserSchema,
  type OrderItemModel,
  type OrderEntity,
  type ProductEntity,
  type UserEntity,
} from './entities/index.js';
import { withDbErrors } from './db/errors.js';

type Schema = typeof UserSchema | typeof ProductSchema | typeof OrderSchema;

/**
 * What the sql-subgraph keeps in Redis (`<prefix>sql:<Type>:<id>`): created
 * once per service; loaders come from it per request, and writers, the relay
 * and subscriptions invalidate through it.
 */
export function createSqlCache(db: DataSource, settings: CacheSettings) {
  const byIds =
    <T extends { id: string }>(schema: Schema) =>
    async (ids: readonly string[]) => {
      const valid = ids.filter(isUuid);
      const rows =
        valid.length === 0
          ? []
          : await withDbErrors(() => db.getRepository<T>(schema as never).findBy({ id: In(valid) } as never));
      return orderByKeys(ids, rows, (row) => row.id);
    };
  return {
    user: cachedEntity<UserEntity>(settings, 'User', {
      load: byIds(UserSchema),
      deserialize: jsonWithDates('createdAt', 'updatedAt'),
    }),
    product: cachedEntity<ProductEntity>(settings, 'Product', {
      load: byIds(ProductSchema),
      deserialize: jsonWithDates('createdAt', 'updatedAt'),
    }),
    order: cachedEntity<OrderEntity>(settings, 'Order', {
      load: byIds(OrderSchema),
      deserialize: jsonWithDates('createdAt', 'updatedAt'),
    }),
    // Items never change once an order exists, so they cache well.
    orderItems: cachedEntity<OrderItemModel[]>(settings, 'OrderItems', {
      async load(orderIds) {
        const rows = await withDbErrors(() =>
          db.query<OrderItemModel[]>(
            `SELECT i.order_id AS "orderId", i.product_id AS "productId", i.quantity,
                    i.unit_price_amount AS "unitPriceAmount", o.currency
             FROM order_items i JOIN orders o ON o.id = i.order_id
             WHERE i.order_id = ANY ($1::uuid[])
             ORDER BY i.order_id, i.product_id`,
            [orderIds.filter(isUuid)],
          ),
        );
        return groupByKeys(orderIds, rows, (row) => row.orderId);
      },
    }),
  };
}

export type SqlCache = ReturnType<typeof createSqlCache>;

/**
 * What each domain event makes stale here. The outbox relay applies it to
 * every event it publishes, which covers writes made outside the API (the
 * resolvers also invalidate what they write, for their own answer).
 */
export const invalidations: Invalidations<SqlCache> = {
  OrderPlaced: ({ orderId }) => ({ order: [orderId] }),
  OrderStatusChanged: ({ orderId }) => ({ order: [orderId] }),
  InventoryChanged: ({ productId }) => ({ product: [productId] }),
  ProductUpdated: ({ productId }) => ({ product: [productId] }),
  ProductDeleted: ({ productId }) => ({ product: [productId] }),
  UserUpdated: ({ userId }) => ({ user: [userId] }),
  UserDeleted: ({ userId }) => ({ user: [userId] }),
};

export const createSqlInvalidator = (cache: SqlCache) => createInvalidator(cache, invalidations);
