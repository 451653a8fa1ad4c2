import { badUserInput, notFound, requireReference, requireUuid } from '@polystore/common';
import type { Resolvers } from '../generated/resolvers-types.js';
import { withMongoErrors } from '../db.js';
import type { ProductDetailsDocument } from '../models.js';
import { aggregateRatings } from '../ratings.js';
import {
  requireAttributes,
  requireAttributesOf,
  requireCategory,
  requireDescription,
  requireTags,
} from '../validation.js';

/** Details are written by upsertProductDetails; a document without them holds only search copies. */
const detailsOf = (document: ProductDetailsDocument | null) => (document?.description === undefined ? null : document);

export const productDetailsResolvers: Resolvers = {
  Query: {
    productDetails: async (_, { productId }, { loaders }) =>
      detailsOf(await loaders.detailsByProductId.load(requireUuid(productId, 'productId'))),
  },
  Mutation: {
    async upsertProductDetails(_, { input }, { store, loaders, copyProducts }) {
      const productId = requireUuid(input.productId, 'productId');
      const slug = requireCategory(input.category);
      const attributes = requireAttributes(input.attributes ?? {});
      const fields = {
        description: requireDescription(input.description),
        category: slug,
        tags: requireTags(input.tags ?? []),
        attributes,
        updatedAt: new Date(),
      };
      const category = await loaders.category.load(slug);
      if (!category) throw badUserInput(`category ${slug} does not exist`, { field: 'category' });
      requireAttributesOf(category, attributes);
      await requireReference(loaders.references, 'Product', productId);
      // What search needs of the product, read from its owner now (events keep it fresh later).
      const [copy] = await copyProducts([productId]);
      if (!copy) throw notFound(`product ${productId} does not exist`, { type: 'Product', id: productId });
      const [rating] = await withMongoErrors(() => aggregateRatings(store, [productId]));
      // Upsert on the natural key: concurrent writers converge on one document.
      const document = await withMongoErrors(() =>
        store.productDetails.findOneAndUpdate(
          { productId },
          {
            $set: { ...fields, ...copy, rating: { average: rating!.average, count: rating!.count } },
            $setOnInsert: { productId, createdAt: fields.updatedAt },
          },
          { upsert: true, returnDocument: 'after', projection: { _id: 0 } },
        ),
      );
      await loaders.detailsByProductId.invalidate([productId]);
      if (document) loaders.detailsByProductId.prime(productId, document as ProductDetailsDocument);
      return { id: productId };
    },
  },
  Product: {
    details: async ({ id }, _, { loaders }) => detailsOf(await loaders.detailsByProductId.load(id)),
  },
  ProductDetails: {
    attributes: (document) => document.attributes ?? {},
  },
};
