import { badUserInput, notFound, requireAdmin, requireUuid } from '@polystore/common';
import type { Resolvers } from '../generated/resolvers-types.js';
import type { ProductDetailsDocument, WrittenDetails } from '../models.js';
import { recheckWrittenDetails } from '../category-rules.js';
import { dropDocumentsOfGoneProducts, writeProductCopies } from '../search-documents.js';
import { withMongoErrors } from '../store/errors.js';
import { writeDetails } from '../store/product-details.js';
import {
  requireAttributes,
  requireAttributesOf,
  requireCategory,
  requireDescription,
  requireTags,
} from '../validation.js';

/** Every product has a document (its search copies); details exist once written. */
const detailsOf = (document: ProductDetailsDocument | null): WrittenDetails | null =>
  document?.description === undefined ? null : (document as WrittenDetails);

export const productDetailsResolvers: Resolvers = {
  Query: {
    productDetails: async (_, { productId }, { loaders }) =>
      detailsOf(await loaders.detailsByProductId.load(requireUuid(productId, 'productId'))),
  },
  Mutation: {
    async upsertProductDetails(_, { input }, { store, loaders, productCopies, viewer }) {
      requireAdmin(viewer, "a product's details");
      const productId = requireUuid(input.productId, 'productId');
      const slug = requireCategory(input.category);
      const attributes = requireAttributes(input.attributes ?? {});
      const now = new Date();
      const fields = {
        description: requireDescription(input.description),
        category: slug,
        tags: requireTags(input.tags ?? []),
        attributes,
        updatedAt: now,
      };
      const category = await loaders.category.load(slug);
      if (!category) throw badUserInput(`category ${slug} does not exist`, { field: 'category' });
      requireAttributesOf(category, attributes);
      // The owner says whether the product exists and what search needs of it, now: no wait for the event stream.
      const [copy] = await productCopies.read([productId]);
      if (!copy) throw notFound(`product ${productId} does not exist`, { type: 'Product', id: productId });
      // The product's document exists after this (made here if the events have not made it yet).
      const created = await withMongoErrors(() => writeProductCopies(store, [copy]));
      // No upsert: a document gone since is a product deleted since (its ProductDeleted handler removed it).
      const before = await withMongoErrors(() => writeDetails(store, productId, fields));
      try {
        const gone = await dropDocumentsOfGoneProducts(store, productCopies, created);
        if (!before || gone.length > 0) {
          throw notFound(`product ${productId} does not exist`, { type: 'Product', id: productId });
        }
        // The category may have changed or gone since it was checked: see category-rules.ts.
        await withMongoErrors(() => recheckWrittenDetails(store, { productId, ...fields }, before));
      } finally {
        // After the last write (or its undo), so no reader caches a state that is about to change.
        await loaders.detailsByProductId.invalidate([productId]);
      }
      loaders.detailsByProductId.prime(productId, { ...before, ...fields, createdAt: before.createdAt ?? now });
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
