import { DateTimeScalar, JSONScalar } from '@polystore/common';
import type { Resolvers } from '../generated/resolvers-types.js';
import { productDetailsResolvers } from './product-details.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  ...productDetailsResolvers,
};
