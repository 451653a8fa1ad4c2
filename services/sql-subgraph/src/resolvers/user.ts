import { requireAdmin, requireOwnerOrAdmin, requireUuid } from '@polystore/common';
import * as users from '../store/users.js';
import { writeRow } from '../db/write-row.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { normalizeEmail, requireName } from '../validation.js';

export const userResolvers: Resolvers = {
  Query: {
    user: (_, { id }, { loaders }) => loaders.user.load(requireUuid(id)),
    users: (_, args, { db }) => users.page(db, args),
  },
  Mutation: {
    // Admin only: an open sign-up would let anyone write rows and learn which emails exist (CONFLICT).
    createUser(_, { input }, { db, viewer }) {
      requireAdmin(viewer, 'creating a user');
      return users.insert(db, { email: normalizeEmail(input.email), name: requireName(input.name) });
    },
    async deleteUser(_, { input }, { db, loaders, viewer }) {
      requireAdmin(viewer, 'deleting a user');
      const id = requireUuid(input.id);
      await writeRow(loaders.user, 'user', id, () => users.remove(db, id));
      return { id };
    },
  },
  User: {
    __resolveReference: ({ id }, { loaders }) => loaders.user.load(id),
    /** Private: the user's own, or an admin's to read. */
    email(user, _, { viewer }) {
      requireOwnerOrAdmin(viewer, user.id, "this user's email");
      return user.email;
    },
  },
};
