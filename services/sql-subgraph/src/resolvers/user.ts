import { UserSchema } from '../entities/index.js';
import { withDbErrors } from '../db/errors.js';
import { paginateByCreation } from '../db/keyset.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { normalizeEmail, requireName, requireUuid } from '../validation.js';

export const userResolvers: Resolvers = {
  Query: {
    user: (_, { id }, { loaders }) => loaders.user.load(requireUuid(id)),
    users: (_, args, { db }) => paginateByCreation(db, UserSchema, args),
  },
  Mutation: {
    async createUser(_, { input }, { db }) {
      const user = { email: normalizeEmail(input.email), name: requireName(input.name) };
      return withDbErrors(() => db.getRepository(UserSchema).save(db.getRepository(UserSchema).create(user)));
    },
  },
  User: {
    __resolveReference: ({ id }, { loaders }) => loaders.user.load(id),
  },
};
