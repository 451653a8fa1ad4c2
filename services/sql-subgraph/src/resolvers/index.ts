import { DateTimeScalar } from '@polystore/common';
import type { Resolvers } from '../generated/resolvers-types.js';
import { orderResolvers } from './order.js';
import { productResolvers } from './product.js';
import { userResolvers } from './user.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: { ...userResolvers.Query, ...productResolvers.Query, ...orderResolvers.Query },
  Mutation: { ...userResolvers.Mutation, ...productResolvers.Mutation, ...orderResolvers.Mutation },
  Subscription: { ...productResolvers.Subscription, ...orderResolvers.Subscription },
  User: { ...userResolvers.User, ...orderResolvers.User },
  Product: productResolvers.Product,
  Order: orderResolvers.Order,
  OrderItem: orderResolvers.OrderItem,
};
