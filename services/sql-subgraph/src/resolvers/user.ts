import { requireUuid } from '@polystore/common';
import { withDbErrors } from '../db/errors.js';
import { writeRow } from '../db/write-row.js';
import { paginateByCreation } from '../db/keyset.js';
import { UserSchema } from '../entities/index.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { normalizeEmail, requireName } from '../validation.js';

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
    async deleteUser(_, { input }, context) {
      const id = requireUuid(input.id);
      await writeRow(context, 'User', id, 'DELETE FROM users WHERE id = $1 RETURNING id');
      return { id };
    },
  },
  User: {
    __resolveReference: ({ id }, { loaders }) => loaders.user.load(id),
  },
};
