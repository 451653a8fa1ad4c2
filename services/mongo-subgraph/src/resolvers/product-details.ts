import { requireUuid } from '@polystore/common';
import type { Resolvers } from '../generated/resolvers-types.js';
import { withMongoErrors } from '../db.js';
import type { ProductDetailsDocument } from '../models.js';
import { requireAttributes, requireCategory, requireDescription, requireTags } from '../validation.js';

export const productDetailsResolvers: Resolvers = {
  Query: {
    productDetails: (_, { productId }, { loaders }) =>
      loaders.detailsByProductId.load(requireUuid(productId, 'productId')),
  },
  Mutation: {
    async upsertProductDetails(_, { input }, { store, loaders }) {
      const productId = requireUuid(input.productId, 'productId');
      const fields = {
        description: requireDescription(input.description),
        category: requireCategory(input.category),
        tags: requireTags(input.tags ?? []),
        attributes: requireAttributes(input.attributes ?? {}),
        updatedAt: new Date(),
      };
      // Upsert on the natural key: concurrent writers converge on one document.
      const document = await withMongoErrors(() =>
        store.productDetails.findOneAndUpdate(
          { productId },
          { $set: fields, $setOnInsert: { productId, createdAt: fields.updatedAt } },
          { upsert: true, returnDocument: 'after', projection: { _id: 0 } },
        ),
      );
      await loaders.detailsByProductId.invalidate([productId]);
      if (document) loaders.detailsByProductId.prime(productId, document as ProductDetailsDocument);
      return { id: productId };
    },
  },
  Product: {
    details: ({ id }, _, { loaders }) => loaders.detailsByProductId.load(id),
  },
  ProductDetails: {
    attributes: (document) => document.attributes ?? {},
  },
};
