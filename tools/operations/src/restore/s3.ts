import { PutObjectCommand } from '@aws-sdk/client-s3';
import { deletePrefix, listPages, type S3Store } from '@polystore/storage-subgraph/operations';
import type { Progress } from '../backup/progress.js';
import type { ObjectEntry } from '../backup/s3.js';
import type { SetReader } from './set-reader.js';

/** Objects written at once, as the backup reads them. */
const CONCURRENCY = 8;

/** Whether the bucket holds any object. */
export async function s3ObjectsPresent(s3: S3Store): Promise<boolean> {
  for await (const page of listPages(s3, '', 1)) return page.length > 0;
  return false;
}

/** Every object of the bucket, removed (a restore that replaces what is there). */
export const emptyBucket = (s3: S3Store) => deletePrefix(s3, '');

/** Streams one object from the set back to its key, with its content type and metadata. */
function putObject(s3: S3Store, set: SetReader, entry: ObjectEntry) {
  return s3.client.send(
    new PutObjectCommand({
      Bucket: s3.bucket,
      Key: entry.key,
      Body: set.open(entry.file),
      ContentLength: entry.size,
      ...(entry.contentType ? { ContentType: entry.contentType } : {}),
      Metadata: entry.metadata,
      ...(entry.cacheControl ? { CacheControl: entry.cacheControl } : {}),
      ...(entry.contentDisposition ? { ContentDisposition: entry.contentDisposition } : {}),
      ...(entry.contentEncoding ? { ContentEncoding: entry.contentEncoding } : {}),
    }),
  );
}

/** Every object of the set's index back into the bucket, streamed (never whole in memory), 8 at a time. */
export async function restoreS3(s3: S3Store, set: SetReader, progress: Progress): Promise<void> {
  const bar = progress.bar('s3 objects', set.manifest.stores.s3.objects);
  let batch: ObjectEntry[] = [];
  const flush = async () => {
    await Promise.all(batch.map((entry) => putObject(s3, set, entry).then(() => bar.increment(entry.key))));
    batch = [];
  };
  try {
    for await (const entry of set.objects()) {
      batch.push(entry);
      if (batch.length >= CONCURRENCY) await flush();
    }
    await flush();
  } finally {
    bar.stop();
  }
}
