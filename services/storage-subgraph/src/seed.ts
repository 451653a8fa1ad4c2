/**
 * What writers outside the API use to put objects in place the way the
 * service does (`npm run seed`, the benchmarks' large catalog, tests that
 * stage objects): the store, the entity cache to drop after a write, the
 * server-side image write, and where an owner's objects live. The package's
 * only entry point besides the server.
 */
export { createStorageCache, type StorageCache } from './cache.js';
export { createS3Store, type S3Store } from './store/s3.js';
export { putProductImage, type AssetWriter, type ServerFile } from './store/server-writes.js';
export { pendingObjectKey, productPrefix, userPrefix } from './store/keys.js';
