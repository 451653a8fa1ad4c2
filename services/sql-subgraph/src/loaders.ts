import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { groupByKeys, isUuid, notFound } from '@polystore/common';
import type { SqlCache } from './cache.js';
import type { OrderEntity, OrderStatusChangeModel, OrderSummaryModel } from './entities/index.js';
import { withDbErrors } from './db/errors.js';

export interface OrdersPage {
  size: number;
  /** Cursor position: created_at and id of the last order of the previous page. */
  after?: [Date, string];
}

/** One loader per distinct page, so parents asking for the same page share a batch. */
function pageLoaders<Page, Loader>(create: (page: Page) => Loader): (page: Page) => Loader {
  const loaders = new Map<string, Loader>();
  return (page) => {
    const key = JSON.stringify(page);
    let loader = loaders.get(key);
    if (!loader) loaders.set(key, (loader = create(page)));
    return loader;
  };
}

/**
 * Reads an entity after a write, past this request's loader cache (the writer
 * already dropped the Redis entry); NOT_FOUND when it is gone.
 */
export async function loadFresh<V>(loader: DataLoader<string, V | null>, id: string, what: string): Promise<V> {
  loader.clear(id);
  const value = await loader.load(id);
  if (value === null) throw notFound(`${what} ${id} does not exist`);
  return value;
}

/**
 * Fresh loaders per request: every entity and list reference in one response
 * is one query per kind, whatever the number of parents. Entities go through
 * the Redis second level; views and history are read fresh.
 */
export function createLoaders(db: DataSource, cache: SqlCache) {
  const query = <T>(sql: string, parameters: unknown[]) => withDbErrors(() => db.query<T[]>(sql, parameters));

  return {
    user: cache.user.loader(),
    product: cache.product.loader(),
    order: cache.order.loader(),
    itemsByOrderId: cache.orderItems.loader(),

    historyByOrderId: new DataLoader<string, OrderStatusChangeModel[]>(async (orderIds) => {
      const rows = await query<OrderStatusChangeModel>(
        `SELECT order_id AS "orderId", from_status AS "from", to_status AS "to", changed_at AS "changedAt"
         FROM order_history WHERE order_id = ANY ($1::uuid[]) ORDER BY order_id, id`,
        [orderIds.filter(isUuid)],
      );
      return groupByKeys(orderIds, rows, (row) => row.orderId);
    }),

    orderSummaryByUserId: new DataLoader<string, OrderSummaryModel>(async (userIds) => {
      const rows = await query<{
        userId: string;
        currency: string;
        orderCount: number;
        totalSpent: string;
        lastOrderAt: Date;
      }>(
        `SELECT user_id AS "userId", currency, order_count AS "orderCount", total_spent AS "totalSpent",
                last_order_at AS "lastOrderAt"
         FROM user_order_summary WHERE user_id = ANY ($1::uuid[]) ORDER BY user_id, currency`,
        [userIds.filter(isUuid)],
      );
      return groupByKeys(userIds, rows, (row) => row.userId).map((perCurrency) => ({
        orderCount: perCurrency.reduce((sum, row) => sum + row.orderCount, 0),
        totalSpent: perCurrency.map((row) => ({ amount: Number(row.totalSpent), currency: row.currency })),
        lastOrderAt: perCurrency.reduce<Date | null>(
          (latest, row) => (latest === null || row.lastOrderAt > latest ? row.lastOrderAt : latest),
          null,
        ),
      }));
    }),

    salesCountByProductId: new DataLoader<string, number>(async (productIds) => {
      const rows = await query<{ productId: string; unitsSold: number }>(
        `SELECT product_id AS "productId", units_sold AS "unitsSold" FROM product_sales WHERE product_id = ANY ($1::uuid[])`,
        [productIds.filter(isUuid)],
      );
      const sold = new Map(rows.map((row) => [row.productId, row.unitsSold]));
      return productIds.map((id) => sold.get(id) ?? 0);
    }),

    orderCountByUserId: new DataLoader<string, number>(async (userIds) => {
      const rows = await query<{ userId: string; count: number }>(
        `SELECT user_id AS "userId", count(*)::integer AS count FROM orders WHERE user_id = ANY ($1::uuid[]) GROUP BY user_id`,
        [userIds.filter(isUuid)],
      );
      const counts = new Map(rows.map((row) => [row.userId, row.count]));
      return userIds.map((id) => counts.get(id) ?? 0);
    }),

    /**
     * One page of each user's orders, newest first, for every user in the
     * response that asks for the same page: one LATERAL query, not one per user.
     */
    ordersPage: pageLoaders(
      (page: OrdersPage) =>
        new DataLoader<string, OrderEntity[]>(async (userIds) => {
          const rows = await query<OrderEntity & { totalAmount: string }>(
            `SELECT o.id, o.user_id AS "userId", o.status, o.total_amount AS "totalAmount", o.currency,
                  o.created_at AS "createdAt", o.updated_at AS "updatedAt"
           FROM unnest($1::uuid[]) AS u(id)
           CROSS JOIN LATERAL (
             SELECT * FROM orders
             WHERE user_id = u.id AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
             ORDER BY created_at DESC, id DESC
             LIMIT $2
           ) AS o`,
            [userIds.filter(isUuid), page.size + 1, page.after?.[0] ?? null, page.after?.[1] ?? null],
          );
          const orders = rows.map((row) => ({ ...row, totalAmount: Number(row.totalAmount) }));
          return groupByKeys(userIds, orders, (order) => order.userId);
        }),
    ),
  };
}

export type SqlLoaders = ReturnType<typeof createLoaders>;
