import { DateTimeScalar } from '@polystore/common';
import type { Resolvers } from '../generated/resolvers-types.js';
import { assetResolvers } from './asset.js';
import { uploadResolvers } from './uploads.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  ...assetResolvers,
  Mutation: uploadResolvers.Mutation,
};
