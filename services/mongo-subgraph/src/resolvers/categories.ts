import { withMongoErrors } from '../db.js';
import type { CategoryDocument } from '../models.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { requireAttributeDefinitions, requireCategory, requireCategoryName } from '../validation.js';

const MAX_CATEGORIES = 500;

export const categoryResolvers: Resolvers = {
  Query: {
    categories: (_, __, { store }) =>
      withMongoErrors(() =>
        store.categories
          .find({}, { projection: { _id: 0 } })
          .sort({ slug: 1 })
          .limit(MAX_CATEGORIES)
          .toArray(),
      ),
    category: (_, { slug }, { loaders }) => loaders.category.load(requireCategory(slug)),
  },
  Mutation: {
    async upsertCategory(_, { input }, { store, loaders }) {
      const category: CategoryDocument = {
        slug: requireCategory(input.slug),
        name: requireCategoryName(input.name),
        attributes: requireAttributeDefinitions(input.attributes),
        updatedAt: new Date(),
      };
      // Upsert on the natural key: concurrent writers converge on one document.
      await withMongoErrors(() =>
        store.categories.updateOne({ slug: category.slug }, { $set: category }, { upsert: true }),
      );
      await loaders.category.invalidate([category.slug]);
      return category;
    },
  },
};
