import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type _Object,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AssetModel, PendingUpload } from '../models.js';
import {
  assetIdFromKey,
  ownerPrefix,
  parseKey,
  pendingKey,
  pendingMarkerKey,
  uploadIdOfMarker,
  type OwnerType,
} from './keys.js';
import { contentTypeOf } from '../rules.js';
import { isNotFound, withS3Errors, type S3Store } from './s3.js';

/** Bounds an owner's asset list; an owner with more is a bug or an abuse. */
export const MAX_LISTED_OBJECTS = 1_000;

/** An asset from its key and what S3 says of the object; null for a key outside the scheme. */
function assetOf(key: string, object: { size: number; etag: string; modified: Date }): AssetModel | null {
  const parsed = parseKey(key);
  if (!parsed) return null;
  return {
    id: assetIdFromKey(key),
    key,
    filename: parsed.filename,
    contentType: contentTypeOf(parsed.filename),
    size: object.size,
    checksum: object.etag.replaceAll('"', ''),
    createdAt: object.modified,
    ownerType: parsed.ownerType,
    ownerId: parsed.ownerId,
  };
}

/** Pages of up to 1000 objects under a prefix, following continuation tokens, at most `maxPages`. */
export async function* listPages(store: S3Store, prefix: string, maxPages: number): AsyncGenerator<_Object[]> {
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const listed = await withS3Errors(() =>
      store.client.send(
        new ListObjectsV2Command({ Bucket: store.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }),
      ),
    );
    yield listed.Contents ?? [];
    token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
    if (!token) return;
  }
}

/** Objects under a prefix, up to MAX_LISTED_OBJECTS. */
export async function listObjects(store: S3Store, prefix: string): Promise<_Object[]> {
  const objects: _Object[] = [];
  for await (const page of listPages(store, prefix, Math.ceil(MAX_LISTED_OBJECTS / 1000))) objects.push(...page);
  return objects.slice(0, MAX_LISTED_OBJECTS);
}

/**
 * An owner's completed assets, oldest first, in one LIST whatever their
 * number: the owner's objects, minus those beside a pending marker.
 */
export async function listOwnerAssets(store: S3Store, ownerType: OwnerType, ownerId: string): Promise<AssetModel[]> {
  const objects = await listObjects(store, ownerPrefix(ownerType, ownerId));
  const pendingUploads = new Set(objects.map((object) => uploadIdOfMarker(object.Key ?? '')));
  return objects
    .flatMap((object) => {
      const asset = object.Key
        ? assetOf(object.Key, {
            size: object.Size ?? 0,
            etag: object.ETag ?? '',
            modified: object.LastModified ?? new Date(0),
          })
        : null;
      return asset && !pendingUploads.has(parseKey(asset.key)!.uploadId) ? [asset] : [];
    })
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.key.localeCompare(b.key));
}

/** Reads an object's metadata; null when it does not exist. */
export async function headObject(store: S3Store, key: string) {
  try {
    return await withS3Errors(() => store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key })));
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export interface ObjectStart {
  /** The whole object's size, from the range answer. */
  size: number;
  contentType: string | undefined;
  etag: string | undefined;
  /** Its first bytes, at most as many as asked for. */
  head: Buffer;
}

/**
 * The first `count` bytes of an object with its size and type, in one ranged
 * GET (the object is never read whole); null when it does not exist.
 */
export async function readObjectStart(store: S3Store, key: string, count: number): Promise<ObjectStart | null> {
  try {
    const object = await withS3Errors(() =>
      store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key, Range: `bytes=0-${count - 1}` })),
    );
    const head = Buffer.from(await object.Body!.transformToByteArray()).subarray(0, count);
    // `bytes 0-63/1234`: the total after the slash. A server that ignores Range answers the whole object.
    const total = /\/(\d+)$/.exec(object.ContentRange ?? '')?.[1];
    return {
      size: total === undefined ? (object.ContentLength ?? head.length) : Number(total),
      contentType: object.ContentType,
      etag: object.ETag,
      head,
    };
  } catch (err) {
    if (isNotFound(err)) return null;
    // No range of an empty object is satisfiable (416): it exists, with nothing in it.
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416) {
      return { size: 0, contentType: undefined, etag: undefined, head: Buffer.alloc(0) };
    }
    throw err;
  }
}

/**
 * Copies an object inside the bucket, server side (the bytes never pass
 * through the service; one request up to S3's 5 GiB, our largest upload),
 * served from then on as `contentType` whatever the source said.
 */
export async function copyObject(store: S3Store, from: string, to: string, contentType: string): Promise<void> {
  await withS3Errors(() =>
    store.client.send(
      new CopyObjectCommand({
        Bucket: store.bucket,
        Key: to,
        CopySource: `${store.bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
        MetadataDirective: 'REPLACE',
        ContentType: contentType,
      }),
    ),
  );
}

/**
 * A presigned GET of an object, valid `expiresIn` seconds, signed for the
 * endpoint clients reach; the answer carries `disposition` (its filename).
 */
export function presignedGetUrl(store: S3Store, key: string, disposition: string, expiresIn: number): Promise<string> {
  return getSignedUrl(
    store.presigner,
    new GetObjectCommand({ Bucket: store.bucket, Key: key, ResponseContentDisposition: disposition }),
    { expiresIn },
  );
}

/** A completed asset by key: the object exists and its upload is no longer pending; else null. */
export async function headAsset(store: S3Store, key: string): Promise<AssetModel | null> {
  const [head, pending] = await Promise.all([headObject(store, key), headObject(store, pendingMarkerKey(key))]);
  if (!head || pending) return null;
  return assetOf(key, {
    size: head.ContentLength ?? 0,
    etag: head.ETag ?? '',
    modified: head.LastModified ?? new Date(0),
  });
}

/** The record of a pending upload; null when there is none (never requested, completed or removed). */
export async function readPendingUpload(store: S3Store, pendingKey: string): Promise<PendingUpload | null> {
  try {
    const object = await withS3Errors(() =>
      store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: pendingKey })),
    );
    return JSON.parse(await object.Body!.transformToString()) as PendingUpload;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/**
 * Records an upload as pending: first its record (so the sweep finds it),
 * then the marker beside its object (so listings hide the object). Both
 * before any URL is handed out: an object can only exist while they do.
 */
export async function writePendingUpload(store: S3Store, upload: PendingUpload): Promise<void> {
  const put = (Key: string, Body: string) =>
    withS3Errors(() =>
      store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key, Body, ContentType: 'application/json' })),
    );
  await put(pendingKey(upload.key), JSON.stringify(upload));
  await put(pendingMarkerKey(upload.key), '{}');
}

export async function deleteObject(store: S3Store, key: string): Promise<void> {
  await withS3Errors(() => store.client.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: key })));
}

/**
 * Deletes every object under a prefix but those `keep` holds on to, 1000
 * per request; returns the deleted keys. Bounded at 10 million objects.
 */
export async function deletePrefix(
  store: S3Store,
  prefix: string,
  keep: (key: string) => boolean = () => false,
): Promise<string[]> {
  const deleted: string[] = [];
  for await (const page of listPages(store, prefix, 10_000)) {
    const keys = page.flatMap((object) => (object.Key && !keep(object.Key) ? [object.Key] : []));
    if (keys.length === 0) continue;
    await withS3Errors(() =>
      store.client.send(
        new DeleteObjectsCommand({
          Bucket: store.bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      ),
    );
    deleted.push(...keys);
  }
  return deleted;
}
