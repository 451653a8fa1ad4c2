/**
 * What operations tools (`tools/operations`: the consistency checker, backups,
 * restores) use of S3, through the store layer: the bucket, its listing page by page,
 * pending-upload records, and the key scheme that tells what each key is.
 * The package's only entry point for them.
 */
export { createS3Store, ensureBucket, pingBucket, type S3Store } from './store/s3.js';
export { deletePrefix, listPages, readPendingUpload } from './store/objects.js';
export {
  OWNER_TYPES,
  PENDING_PREFIX,
  parseKey,
  pendingKey,
  recordOfMarker,
  recordOfPendingObject,
  type OwnerType,
} from './store/keys.js';
export type { PendingUpload } from './models.js';
