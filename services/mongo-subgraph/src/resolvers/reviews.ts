import {
  appendEvent,
  badUserInput,
  conflict,
  filter,
  liveEvents,
  notFound,
  pageSize,
  pipe,
  requireOwnerOrAdmin,
  requireReference,
  requireSignedIn,
  requireUuid,
  resolveLiveEvent,
  type EventPayloads,
} from '@polystore/common';
import { freshLoaders, type MongoContext } from '../context.js';
import type { ReviewDocument } from '../models.js';
import { reviewIdOf, reviewObjectId } from '../review-id.js';
import { removeIfOrphaned } from '../review-references.js';
import { validateAfter } from '../reviews.js';
import { withMongoErrors } from '../store/errors.js';
import * as reviewWrites from '../store/review-writes.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { requireBody, requireRating, requireTitle } from '../validation.js';

async function loadReview({ loaders }: MongoContext, id: string): Promise<ReviewDocument> {
  const review = await loaders.review.load(id);
  if (!review) throw notFound(`review ${id} does not exist`, { type: 'Review', id });
  return review;
}

/**
 * After any change to a product's reviews (whose write rewrote the rating copy
 * search sorts by, store/review-writes.ts): its rating, its newest reviews and
 * the review itself leave the cache.
 */
async function afterReviewChange({ loaders }: MongoContext, review: Pick<ReviewDocument, 'id' | 'productId'>) {
  await Promise.all([
    loaders.ratingByProductId.invalidate([review.productId]),
    loaders.newestReviewsByProduct.invalidate([review.productId]),
    loaders.review.invalidate([review.id]),
  ]);
}

/**
 * Who a new review is by: the signed-in user (UNAUTHENTICATED without one).
 * An admin may name another user (imports, moderation, the demo seed); a user
 * naming someone else is FORBIDDEN. A caller trusted without signatures must
 * name the user.
 */
function authorOf({ viewer }: MongoContext, named: string | null | undefined): string {
  const signedIn = requireSignedIn(viewer, 'a review');
  const userId = named == null ? signedIn : requireUuid(named, 'userId');
  if (!userId) throw badUserInput('userId is required when no user is signed in', { field: 'userId' });
  requireOwnerOrAdmin(viewer, userId, 'a review by another user');
  return userId;
}

/** Only a review's author or an admin may change it: NOT_FOUND, UNAUTHENTICATED or FORBIDDEN first, nothing written. */
async function requireAuthorOrAdmin(context: MongoContext, id: string): Promise<void> {
  const review = await loadReview(context, id);
  requireOwnerOrAdmin(context.viewer, review.userId, 'this review');
}

const pageArgs = (args: { first?: number | null; after?: string | null }) => ({
  size: pageSize(args.first),
  after: validateAfter(args.after),
});

export const reviewResolvers: Resolvers = {
  Query: {
    review: (_, { id }, { loaders }) => loaders.review.load(requireUuid(id)),
  },
  Mutation: {
    async addReview(_, { input }, context) {
      const userId = authorOf(context, input.userId);
      const productId = requireUuid(input.productId, 'productId');
      const now = new Date();
      const review: ReviewDocument = {
        _id: reviewObjectId(reviewIdOf(productId, userId)),
        id: reviewIdOf(productId, userId),
        productId,
        userId,
        rating: requireRating(input.rating),
        title: requireTitle(input.title),
        body: requireBody(input.body),
        createdAt: now,
        updatedAt: now,
      };
      await requireReference(context.loaders.references, 'Product', productId);
      await requireReference(context.loaders.references, 'User', userId);
      // The _id is derived from (product, user): a second review collides on the one index every server enforces.
      await withMongoErrors(() => reviewWrites.insertWithRating(context.store, review), {
        duplicate: () => conflict('this user has already reviewed this product', { reviewId: review.id }),
      });
      const gone = await removeIfOrphaned(context.store, context.references, review);
      await afterReviewChange(context, review); // after a removal too: a rating cached meanwhile may have counted it
      if (gone) throw notFound(`${gone.type.toLowerCase()} ${gone.id} does not exist`, gone);
      await appendEvent(context.events, context.log, 'ReviewAdded', { reviewId: review.id, productId });
      return review;
    },
    async updateReview(_, { input }, context) {
      const id = requireUuid(input.id);
      const changes: Partial<ReviewDocument> = {};
      if (input.rating != null) changes.rating = requireRating(input.rating);
      if (input.title != null) changes.title = requireTitle(input.title);
      if (input.body != null) changes.body = requireBody(input.body);
      await requireAuthorOrAdmin(context, id);
      const updated = await withMongoErrors(() =>
        reviewWrites.updateWithRating(context.store, { _id: reviewObjectId(id), id }, changes),
      );
      if (!updated) throw notFound(`review ${id} does not exist`, { type: 'Review', id });
      await afterReviewChange(context, updated);
      return updated;
    },
    async deleteReview(_, { input }, context) {
      const id = requireUuid(input.id);
      await requireAuthorOrAdmin(context, id);
      const deleted = await withMongoErrors(() =>
        reviewWrites.removeWithRating(context.store, { _id: reviewObjectId(id), id }),
      );
      if (!deleted) throw notFound(`review ${id} does not exist`, { type: 'Review', id });
      await afterReviewChange(context, deleted);
      return id;
    },
  },
  Subscription: {
    reviewAdded: {
      // Resumed after the stream position the gateway had, when it subscribes again (`liveEvents`).
      subscribe(_, args, context) {
        const productId = requireUuid(args.productId, 'productId');
        return pipe(
          liveEvents('ReviewAdded', context),
          filter(({ payload }) => payload.productId === productId),
        );
      },
      // Read once per event for all its subscribers, who share that event's loaders
      // (a subscription's context lives as long as the subscription).
      resolve: resolveLiveEvent(freshLoaders, (context, event: EventPayloads['ReviewAdded']) =>
        loadReview(context, event.reviewId),
      ),
    },
  },
  Review: {
    __resolveReference: ({ id }, { loaders }) => loaders.review.load(id),
    author: (review) => ({ id: review.userId }),
    product: (review) => ({ id: review.productId }),
  },
  Product: {
    rating: ({ id }, _, { loaders }) => loaders.ratingByProductId.load(id).then((rating) => rating!),
    reviews: ({ id }, args, { loaders }) => loaders.reviewsByProduct.load({ ownerId: id, ...pageArgs(args) }),
  },
  User: {
    reviews: ({ id }, args, { loaders }) => loaders.reviewsByUser.load({ ownerId: id, ...pageArgs(args) }),
  },
};
