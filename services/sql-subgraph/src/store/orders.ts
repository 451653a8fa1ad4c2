import { groupByKeys, isUuid, orderByKeys } from '@polystore/common';
import type {
  OrderEntity,
  OrderItemModel,
  OrderStatus,
  OrderStatusChangeModel,
  OrderSummaryModel,
} from '../entities/index.js';
import { call, select, type Queryable } from '../db/statements.js';
import { afterCreation } from './keyset.js';

/**
 * Every statement on `orders`, `order_items` and `order_history`, the
 * `user_order_summary` view, and the order procedures. Orders are written
 * only by the procedures, which hold the stock and transition rules.
 */

/** An orders row (aliased `o`) as an OrderEntity, but for the bigint total, which `toOrder` converts. */
const ORDER = `o.id, o.user_id AS "userId", o.status, o.total_amount AS "totalAmount", o.currency,
  o.created_at AS "createdAt", o.updated_at AS "updatedAt"`;

/** bigint arrives from pg as a string; place_order keeps totals within 32 bits. */
const toOrder = (row: OrderEntity & { totalAmount: number | string }): OrderEntity => ({
  ...row,
  totalAmount: Number(row.totalAmount),
});

/** One statement for a batch of ids (orders_pkey); null for ids without a row. */
export async function byIds(db: Queryable, ids: readonly string[]): Promise<(OrderEntity | null)[]> {
  const valid = ids.filter(isUuid);
  const rows =
    valid.length === 0
      ? []
      : await select<OrderEntity>(db, `SELECT ${ORDER} FROM orders o WHERE o.id = ANY ($1::uuid[])`, [valid]);
  return orderByKeys(ids, rows.map(toOrder), (row) => row.id);
}

/** The lines of each order, with the order's currency (order_items_pkey). */
export async function itemsByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<OrderItemModel[][]> {
  const rows = await select<OrderItemModel>(
    db,
    `SELECT i.order_id AS "orderId", i.product_id AS "productId", i.quantity,
            i.unit_price_amount AS "unitPriceAmount", o.currency
     FROM order_items i JOIN orders o ON o.id = i.order_id
     WHERE i.order_id = ANY ($1::uuid[])
     ORDER BY i.order_id, i.product_id`,
    [orderIds.filter(isUuid)],
  );
  return groupByKeys(orderIds, rows, (row) => row.orderId);
}

/** Every status each order took, oldest first (order_history_order_idx). */
export async function historyByOrderIds(
  db: Queryable,
  orderIds: readonly string[],
): Promise<OrderStatusChangeModel[][]> {
  const rows = await select<OrderStatusChangeModel>(
    db,
    `SELECT order_id AS "orderId", from_status AS "from", to_status AS "to", changed_at AS "changedAt"
     FROM order_history WHERE order_id = ANY ($1::uuid[]) ORDER BY order_id, id`,
    [orderIds.filter(isUuid)],
  );
  return groupByKeys(orderIds, rows, (row) => row.orderId);
}

/** Each user's order count, amounts spent per currency and last order date (the user_order_summary view). */
export async function summaryByUserIds(db: Queryable, userIds: readonly string[]): Promise<OrderSummaryModel[]> {
  const rows = await select<{
    userId: string;
    currency: string;
    orderCount: number;
    totalSpent: string;
    lastOrderAt: Date;
  }>(
    db,
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
}

/** How many orders each user has, cancelled ones included (orders_user_created_idx). */
export async function countByUserIds(db: Queryable, userIds: readonly string[]): Promise<number[]> {
  const rows = await select<{ userId: string; count: number }>(
    db,
    `SELECT user_id AS "userId", count(*)::integer AS count FROM orders WHERE user_id = ANY ($1::uuid[]) GROUP BY user_id`,
    [userIds.filter(isUuid)],
  );
  const counts = new Map(rows.map((row) => [row.userId, row.count]));
  return userIds.map((id) => counts.get(id) ?? 0);
}

export interface OrdersPage {
  size: number;
  /** Cursor position: created_at and id of the last order of the previous page. */
  after?: [Date, string];
}

/**
 * The same page of each user's orders, newest first, with one extra row that
 * tells whether another page exists: one LATERAL statement for every user
 * (orders_user_created_idx), not one per user.
 */
export async function pageByUserIds(
  db: Queryable,
  userIds: readonly string[],
  page: OrdersPage,
): Promise<OrderEntity[][]> {
  const rows = await select<OrderEntity>(
    db,
    `SELECT ${ORDER}
     FROM unnest($1::uuid[]) AS u(id)
     CROSS JOIN LATERAL (
       SELECT * FROM orders
       WHERE user_id = u.id AND ${afterCreation('desc', 3)}
       ORDER BY created_at DESC, id DESC
       LIMIT $2
     ) AS o`,
    [userIds.filter(isUuid), page.size + 1, page.after?.[0] ?? null, page.after?.[1] ?? null],
  );
  return groupByKeys(userIds, rows.map(toOrder), (order) => order.userId);
}

/**
 * Places an order (place_order: checks and takes stock, inserts the order and
 * its items); with an idempotency key already used by this user, returns that
 * order and changes nothing. Returns the order's id.
 */
export async function place(
  db: Queryable,
  userId: string,
  items: { productId: string; quantity: number }[],
  idempotencyKey: string | null,
): Promise<string> {
  const [row] = await call<{ id: string }>(db, 'SELECT place_order($1, $2::jsonb, $3) AS id', [
    userId,
    JSON.stringify(items),
    idempotencyKey,
  ]);
  return row!.id;
}

/** Moves an order along a legal transition (update_order_status); CANCELLED restores its stock. */
export async function updateStatus(db: Queryable, orderId: string, status: OrderStatus): Promise<void> {
  await call(db, 'SELECT update_order_status($1, $2::order_status)', [orderId, status]);
}

/** Cancels an order (cancel_order), which puts its items back in stock. */
export async function cancel(db: Queryable, orderId: string): Promise<void> {
  await call(db, 'SELECT cancel_order($1)', [orderId]);
}
