import { PassThrough, type Readable } from 'node:stream';
import { GetObjectCommand, type _Object } from '@aws-sdk/client-s3';
import { listPages, type S3Store } from '@polystore/storage-subgraph/operations';
import { ObjectPaths } from './object-paths.js';
import type { Progress, ProgressBar } from './progress.js';
import type { BackupSet, SetFile } from './set-writer.js';

/** One line of `s3/index.jsonl`: an object, where its bytes are in the set, and what S3 says of it. */
export interface ObjectEntry {
  key: string;
  /** Relative to the set's folder. */
  file: string;
  /** The object's size and SHA-256. */
  size: number;
  sha256: string;
  /** In an encrypted set, size and SHA-256 of its file (the ciphertext). */
  stored?: { bytes: number; sha256: string };
  contentType: string | null;
  metadata: Record<string, string>;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  etag: string | null;
  lastModified: string | null;
}

export interface S3Copy {
  bucket: string;
  objects: number;
  bytes: number;
  /** The objects' files are listed by the index (one entry per object, with its checksum), not here. */
  files: SetFile[];
}

/** Objects fetched at once: enough to hide a request's latency, few enough to bound memory to a few stream buffers. */
const CONCURRENCY = 8;

const isGone = (err: unknown) =>
  (err as { name?: string }).name === 'NoSuchKey' ||
  (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/** Streams one object into the set (never whole in memory) and describes it; null when it was deleted since the listing. */
async function copyObject(s3: S3Store, set: BackupSet, key: string, file: string): Promise<ObjectEntry | null> {
  const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key })).catch((err: unknown) => {
    if (isGone(err)) return null;
    throw err;
  });
  if (!object) return null;
  const written = await set.write(file, object.Body as Readable);
  return {
    key,
    file: written.path,
    size: written.content?.bytes ?? written.bytes,
    sha256: written.content?.sha256 ?? written.sha256,
    ...(written.content ? { stored: { bytes: written.bytes, sha256: written.sha256 } } : {}),
    contentType: object.ContentType ?? null,
    metadata: object.Metadata ?? {},
    ...(object.CacheControl ? { cacheControl: object.CacheControl } : {}),
    ...(object.ContentDisposition ? { contentDisposition: object.ContentDisposition } : {}),
    ...(object.ContentEncoding ? { contentEncoding: object.ContentEncoding } : {}),
    etag: object.ETag ?? null,
    lastModified: object.LastModified?.toISOString() ?? null,
  };
}

async function copyPage(s3: S3Store, set: BackupSet, page: _Object[], paths: ObjectPaths, bar: ProgressBar) {
  const entries: ObjectEntry[] = [];
  for (let i = 0; i < page.length; i += CONCURRENCY) {
    const slice = page.slice(i, i + CONCURRENCY).flatMap(({ Key }) => (Key ? [Key] : []));
    const copied = await Promise.all(
      slice.map(async (key) => {
        const entry = await copyObject(s3, set, key, `s3/objects/${paths.pathOf(key)}`);
        bar.increment();
        return entry;
      }),
    );
    entries.push(...copied.filter((entry) => entry !== null));
  }
  return entries;
}

/**
 * Every object of the bucket, a listing page of 1,000 keys at a time, each
 * streamed to its own file with its content type and metadata; the index
 * (`s3/index.jsonl`, one JSON line per object) is written as the copy goes.
 * An object deleted between its listing and its GET is skipped: it was
 * deleted during the copy window, which the replayed events account for.
 */
export async function copyS3(s3: S3Store, set: BackupSet, progress: Progress): Promise<S3Copy> {
  const paths = new ObjectPaths();
  const index = new PassThrough();
  const indexWritten = set.write('s3/index.jsonl', index);
  const bar = progress.bar('s3 objects', 0);
  let [objects, bytes] = [0, 0];
  try {
    for await (const page of listPages(s3, '', Number.POSITIVE_INFINITY)) {
      bar.grow(page.length);
      for (const entry of await copyPage(s3, set, page, paths, bar)) {
        index.write(`${JSON.stringify(entry)}\n`);
        objects++;
        bytes += entry.size;
      }
    }
  } finally {
    index.end();
    bar.stop();
  }
  const indexFile = await indexWritten;
  return { bucket: s3.bucket, objects, bytes, files: [indexFile] };
}
