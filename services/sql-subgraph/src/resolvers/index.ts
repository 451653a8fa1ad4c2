import { DateTimeScalar } from '@polystore/common';
import type { Resolvers } from '../generated/resolvers-types.js';
import { productResolvers } from './product.js';
import { userResolvers } from './user.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: { ...userResolvers.Query, ...productResolvers.Query },
  Mutation: { ...userResolvers.Mutation, ...productResolvers.Mutation },
  User: userResolvers.User,
  Product: productResolvers.Product,
};
