import { pageSize } from '@polystore/common';
import type { Resolvers } from '../generated/resolvers-types.js';
import { searchProducts } from '../search.js';

export const searchResolvers: Resolvers = {
  Query: {
    searchProducts: (_, args, { store }) =>
      searchProducts(store, {
        text: args.text,
        category: args.category,
        tags: args.tags,
        attributes: args.attributes,
        sort: args.sort ?? 'RELEVANCE',
        size: pageSize(args.first),
        after: args.after,
      }),
  },
};
