import {
  filter,
  liveEvents,
  pipe,
  requireAdmin,
  requireUuid,
  resolveLiveEvent,
  type EventPayloads,
} from '@polystore/common';
import * as products from '../store/products.js';
import { freshLoaders, type SqlContext } from '../context.js';
import { writeRow } from '../db/write-row.js';
import { loadFresh } from '../loaders.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { requireIntInRange, requireMoney, requireName, requireSku } from '../validation.js';

const MAX_RESTOCK = 1_000_000;

const reloadProduct = ({ loaders }: SqlContext, id: string) => loadFresh(loaders.product, id, 'product');

export const productResolvers: Resolvers = {
  Query: {
    product: (_, { id }, { loaders }) => loaders.product.load(requireUuid(id)),
    productBySku: (_, { sku }, { db }) => products.bySku(db, sku.trim()),
    products: (_, args, { db }) => products.page(db, args),
  },
  // Catalog and stock writes are an admin's, checked here too: the gateway's directives guard only what comes through it.
  Mutation: {
    async createProduct(_, { input }, { db, viewer }) {
      requireAdmin(viewer, 'creating a product');
      const price = requireMoney(input.price.amount, input.price.currency);
      return products.insert(db, {
        sku: requireSku(input.sku),
        name: requireName(input.name),
        priceAmount: price.amount,
        priceCurrency: price.currency,
        stock: requireIntInRange(input.stock ?? 0, 'stock', 0, 2_147_483_647),
      });
    },
    async updateProduct(_, { input }, context) {
      requireAdmin(context.viewer, 'changing a product');
      const id = requireUuid(input.id);
      const name = input.name == null ? null : requireName(input.name);
      const price = input.price == null ? null : requireMoney(input.price.amount, input.price.currency);
      await writeRow(context.loaders.product, 'product', id, () => products.update(context.db, id, { name, price }));
      return reloadProduct(context, id);
    },
    async restock(_, { input }, context) {
      requireAdmin(context.viewer, 'restocking');
      const id = requireUuid(input.productId, 'productId');
      const quantity = requireIntInRange(input.quantity, 'quantity', 1, MAX_RESTOCK);
      await writeRow(context.loaders.product, 'product', id, () => products.restock(context.db, id, quantity));
      return reloadProduct(context, id);
    },
    async deleteProduct(_, { input }, { db, loaders, viewer }) {
      requireAdmin(viewer, 'deleting a product');
      const id = requireUuid(input.id);
      await writeRow(loaders.product, 'product', id, () => products.remove(db, id));
      return { id };
    },
  },
  Subscription: {
    inventoryChanged: {
      // Resumed after the stream position the gateway had, when it subscribes again (`liveEvents`).
      subscribe(_, args, context) {
        const productId = args.productId == null ? null : requireUuid(args.productId, 'productId');
        return pipe(
          liveEvents('InventoryChanged', context),
          filter(({ payload }) => !productId || payload.productId === productId),
        );
      },
      // The stock is the one this event announces; other fields are read fresh, once
      // per event for all its subscribers, who share that event's loaders (a
      // subscription's context lives as long as the subscription).
      resolve: resolveLiveEvent(freshLoaders, async (context, event: EventPayloads['InventoryChanged']) => ({
        ...(await reloadProduct(context, event.productId)),
        stock: event.stock,
      })),
    },
  },
  Product: {
    __resolveReference: ({ id }, { loaders }) => loaders.product.load(id),
    price: (product) => ({ amount: product.priceAmount, currency: product.priceCurrency }),
    salesCount: (product, _, { loaders }) => loaders.salesCountByProductId.load(product.id),
  },
};
