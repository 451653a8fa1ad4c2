import { DateTimeScalar, JSONScalar } from '@polystore/common';
import type { Resolvers } from '../generated/resolvers-types.js';
import { categoryResolvers } from './categories.js';
import { productDetailsResolvers } from './product-details.js';
import { reviewResolvers } from './reviews.js';
import { searchResolvers } from './search.js';

/** Each file resolves one concern; types several of them extend (Product, Query, Mutation) are merged here. */
const parts: Resolvers[] = [categoryResolvers, productDetailsResolvers, reviewResolvers, searchResolvers];

export const resolvers: Resolvers = { DateTime: DateTimeScalar, JSON: JSONScalar };
for (const part of parts) {
  for (const [type, fields] of Object.entries(part)) {
    const target = resolvers as Record<string, object>;
    target[type] = { ...(target[type] ?? {}), ...fields };
  }
}
