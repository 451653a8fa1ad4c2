import { conflict, notFound, requireAdmin } from '@polystore/common';
import { requireNoViolations, violationsOf } from '../category-rules.js';
import type { CategoryDocument } from '../models.js';
import * as categories from '../store/categories.js';
import { withMongoErrors } from '../store/errors.js';
import { countInCategory } from '../store/product-details.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { requireAttributeDefinitions, requireCategory, requireCategoryName } from '../validation.js';

const MAX_CATEGORIES = 500;

const productsText = (count: number) => (count === 1 ? '1 product' : `${count} products`);

export const categoryResolvers: Resolvers = {
  Query: {
    categories: (_, __, { store }) => withMongoErrors(() => categories.list(store, MAX_CATEGORIES)),
    category: (_, { slug }, { loaders }) => loaders.category.load(requireCategory(slug)),
  },
  Mutation: {
    /**
     * Refused (BAD_USER_INPUT naming the attribute and how many products)
     * when the category's stored details would break the new definitions:
     * checked before the write, and after it for details written meanwhile
     * against the old definitions (then the category is put back).
     */
    async upsertCategory(_, { input }, { store, loaders, viewer }) {
      requireAdmin(viewer, 'changing a category');
      const category: CategoryDocument = {
        slug: requireCategory(input.slug),
        name: requireCategoryName(input.name),
        attributes: requireAttributeDefinitions(input.attributes),
        updatedAt: new Date(),
      };
      requireNoViolations(category, await withMongoErrors(() => violationsOf(store, category)));
      // Upsert on the natural key: concurrent writers converge on one document.
      const before = await withMongoErrors(() => categories.upsert(store, category));
      const late = await withMongoErrors(() => violationsOf(store, category));
      if (late.length > 0) await withMongoErrors(() => categories.restore(store, category, before));
      await loaders.category.invalidate([category.slug]);
      requireNoViolations(category, late);
      return category;
    },
    /** CONFLICT while any product's details use the category, checked before and after the deletion. */
    async deleteCategory(_, { input }, { store, loaders, viewer }) {
      requireAdmin(viewer, 'deleting a category');
      const slug = requireCategory(input.slug);
      const inUse = () => withMongoErrors(() => countInCategory(store, slug));
      const refuse = (count: number) =>
        conflict(`category ${slug} is used by the details of ${productsText(count)}`, { products: count });
      const using = await inUse();
      if (using > 0) throw refuse(using);
      const deleted = await withMongoErrors(() => categories.remove(store, slug));
      await loaders.category.invalidate([slug]);
      if (!deleted) throw notFound(`category ${slug} does not exist`, { type: 'Category', slug });
      // Details written meanwhile against the category: put it back (their writer re-checks too).
      const late = await inUse();
      if (late > 0) {
        await withMongoErrors(() => categories.putBack(store, deleted));
        await loaders.category.invalidate([slug]);
        throw refuse(late);
      }
      return slug;
    },
  },
};
