import { filter, pipe, requireUuid, type EventPayloads } from '@polystore/common';
import type { SqlContext } from '../context.js';
import { withDbErrors } from '../db/errors.js';
import { writeRow } from '../db/write-row.js';
import { createLoaders, loadFresh } from '../loaders.js';
import { paginateByCreation } from '../db/keyset.js';
import { ProductSchema } from '../entities/index.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { requireIntInRange, requireMoney, requireName, requireSku } from '../validation.js';

const MAX_RESTOCK = 1_000_000;

const reloadProduct = ({ loaders }: SqlContext, id: string) => loadFresh(loaders.product, id, 'product');

export const productResolvers: Resolvers = {
  Query: {
    product: (_, { id }, { loaders }) => loaders.product.load(requireUuid(id)),
    productBySku: (_, { sku }, { db }) =>
      withDbErrors(() => db.getRepository(ProductSchema).findOneBy({ sku: sku.trim() })),
    products: (_, args, { db }) => paginateByCreation(db, ProductSchema, args),
  },
  Mutation: {
    async createProduct(_, { input }, { db }) {
      const price = requireMoney(input.price.amount, input.price.currency);
      const repository = db.getRepository(ProductSchema);
      const product = repository.create({
        sku: requireSku(input.sku),
        name: requireName(input.name),
        priceAmount: price.amount,
        priceCurrency: price.currency,
        stock: requireIntInRange(input.stock ?? 0, 'stock', 0, 2_147_483_647),
      });
      return withDbErrors(() => repository.save(product));
    },
    async updateProduct(_, { input }, context) {
      const id = requireUuid(input.id);
      const name = input.name == null ? null : requireName(input.name);
      const price = input.price == null ? null : requireMoney(input.price.amount, input.price.currency);
      await writeRow(
        context,
        'Product',
        id,
        `UPDATE products SET name = coalesce($2, name), price_amount = coalesce($3, price_amount),
                price_currency = coalesce($4, price_currency)
         WHERE id = $1 RETURNING id`,
        [name, price?.amount ?? null, price?.currency ?? null],
      );
      return reloadProduct(context, id);
    },
    async restock(_, { input }, context) {
      const id = requireUuid(input.productId, 'productId');
      const quantity = requireIntInRange(input.quantity, 'quantity', 1, MAX_RESTOCK);
      await writeRow(context, 'Product', id, 'UPDATE products SET stock = stock + $2 WHERE id = $1 RETURNING id', [
        quantity,
      ]);
      return reloadProduct(context, id);
    },
    async deleteProduct(_, { input }, context) {
      const id = requireUuid(input.id);
      await writeRow(context, 'Product', id, 'DELETE FROM products WHERE id = $1 RETURNING id');
      return { id };
    },
  },
  Subscription: {
    inventoryChanged: {
      subscribe(_, args, { pubsub }) {
        const productId = args.productId == null ? null : requireUuid(args.productId, 'productId');
        return pipe(
          pubsub.subscribe('InventoryChanged'),
          filter((event) => !productId || event.productId === productId),
        );
      },
      // The stock is the one this event announces; other fields are read fresh.
      resolve: async (event: EventPayloads['InventoryChanged'], _: unknown, context: SqlContext) => {
        // A subscription's context lives as long as the subscription: each event gets fresh loaders.
        context.loaders = createLoaders(context.db, context.cache);
        return { ...(await reloadProduct(context, event.productId)), stock: event.stock };
      },
    },
  },
  Product: {
    __resolveReference: ({ id }, { loaders }) => loaders.product.load(id),
    price: (product) => ({ amount: product.priceAmount, currency: product.priceCurrency }),
    salesCount: (product, _, { loaders }) => loaders.salesCountByProductId.load(product.id),
  },
};
