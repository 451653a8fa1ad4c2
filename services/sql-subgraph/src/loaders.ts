import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { notFound } from '@polystore/common';
import * as orders from './store/orders.js';
import * as products from './store/products.js';
import type { SqlCache } from './cache.js';
import type { OrderEntity, OrderStatusChangeModel, OrderSummaryModel } from './entities/index.js';

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
 * is one statement per kind, whatever the number of parents (the statements
 * live in store/). Entities go through the Redis second level; views and
 * history are read fresh.
 */
export function createLoaders(db: DataSource, cache: SqlCache) {
  return {
    user: cache.user.loader(),
    product: cache.product.loader(),
    order: cache.order.loader(),
    itemsByOrderId: cache.orderItems.loader(),
    historyByOrderId: new DataLoader<string, OrderStatusChangeModel[]>((ids) => orders.historyByOrderIds(db, ids)),
    orderSummaryByUserId: new DataLoader<string, OrderSummaryModel>((ids) => orders.summaryByUserIds(db, ids)),
    salesCountByProductId: new DataLoader<string, number>((ids) => products.unitsSold(db, ids)),
    orderCountByUserId: new DataLoader<string, number>((ids) => orders.countByUserIds(db, ids)),
    /** One page of each user's orders for every user in the response that asks for the same page. */
    ordersPage: pageLoaders(
      (page: orders.OrdersPage) =>
        new DataLoader<string, OrderEntity[]>((userIds) => orders.pageByUserIds(db, userIds, page)),
    ),
  };
}

export type SqlLoaders = ReturnType<typeof createLoaders>;
