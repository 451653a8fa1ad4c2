import { DateTimeScalar } from '@polystore/common';
import type { Resolvers } from '../generated/resolvers-types.js';
import { assetResolvers } from './asset.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  ...assetResolvers,
};
