import {
  listPages,
  parseKey,
  pendingKey,
  PENDING_PREFIX,
  readPendingUpload,
  recordOfPendingObject,
  type S3Store,
} from '@polystore/storage-subgraph/operations';
import type { Tallies } from './report.js';

/** Listing pages of 1000 keys: ten million objects at most, as the storage-subgraph's own deletes. */
export const MAX_LIST_PAGES = 10_000;

/**
 * S3's pending uploads (`pending/`: a record per upload not yet completed,
 * beside the bytes the client sent). They are no asset and reference no
 * owner yet, so none is an orphan; those past their expiry, and bytes whose
 * upload is over, are leftovers the upload sweep removes. Returns the keys of
 * the records (an upload is pending while its record exists), for the objects' check.
 */
export async function readPendingUploads(s3: S3Store, tallies: Tallies, now = new Date()): Promise<Set<string>> {
  const records = new Set<string>();
  const bytes: string[] = [];
  for await (const page of listPages(s3, PENDING_PREFIX, MAX_LIST_PAGES)) {
    for (const { Key: key } of page) {
      if (!key) continue;
      if (recordOfPendingObject(key) !== null) bytes.push(key);
      else records.add(key);
    }
  }
  for (const key of bytes) {
    if (!records.has(recordOfPendingObject(key)!)) tallies.left('bytesWithoutUpload', key);
  }
  for (const key of records) {
    const upload = await readPendingUpload(s3, key).catch((err: unknown) => {
      if (err instanceof SyntaxError) return null;
      throw err;
    });
    if (!upload || !parseKey(upload.key) || pendingKey(upload.key) !== key) {
      tallies.left('unreadableUploadRecords', key);
      records.delete(key);
    } else if (new Date(upload.expiresAt) < now) tallies.left('expiredUploads', upload.key);
  }
  return records;
}
