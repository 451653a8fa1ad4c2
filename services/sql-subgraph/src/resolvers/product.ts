import { ProductSchema } from '../entities/index.js';
import { withDbErrors } from '../db/errors.js';
import { paginateByCreation } from '../db/keyset.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { requireMoney, requireName, requireNonNegative, requireSku, requireUuid } from '../validation.js';

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
        stock: requireNonNegative(input.stock ?? 0, 'stock'),
      });
      return withDbErrors(() => repository.save(product));
    },
  },
  Product: {
    __resolveReference: ({ id }, { loaders }) => loaders.product.load(id),
    price: (product) => ({ amount: product.priceAmount, currency: product.priceCurrency }),
  },
};
