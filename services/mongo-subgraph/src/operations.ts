/**
 * What operations tools (`tools/operations`: the consistency checker, backups,
 * restores) use of MongoDB, through the store layer: a connection that writes nothing,
 * and the reads they page through. The package's only entry point for them.
 */
export { openMongo, pingMongo } from './store/connect.js';
export type { MongoStore } from './store/collections.js';
export {
  byProductIds as documentsByProductIds,
  scanReferences as scanDocumentReferences,
} from './store/product-details.js';
export type { DocumentReferences } from './store/product-details.js';
export { scanReferences as scanReviewReferences, type ReviewReferences } from './store/reviews.js';
export { bySlugs as categoriesBySlugs } from './store/categories.js';
export { aggregateAllRatings, aggregateRatings, copyRatingsToDetails } from './store/ratings.js';
