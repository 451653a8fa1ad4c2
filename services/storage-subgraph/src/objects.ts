import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type _Object,
} from '@aws-sdk/client-s3';
import type { AssetModel, PendingUpload } from './models.js';
import {
  assetIdFromKey,
  newAssetKey,
  ownerPrefix,
  parseKey,
  pendingKey,
  pendingOwnerPrefix,
  type OwnerType,
} from './keys.js';
import { contentTypeOf } from './rules.js';
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
 * An owner's completed assets, oldest first, in two LISTs whatever their
 * number: the owner's objects, minus those whose upload is still pending.
 */
export async function listOwnerAssets(store: S3Store, ownerType: OwnerType, ownerId: string): Promise<AssetModel[]> {
  const [objects, pending] = await Promise.all([
    listObjects(store, ownerPrefix(ownerType, ownerId)),
    listObjects(store, pendingOwnerPrefix(ownerType, ownerId)),
  ]);
  const pendingUploads = new Set(pending.map((object) => object.Key?.slice(object.Key.lastIndexOf('/') + 1)));
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

/** A completed asset by key: the object exists and its upload is no longer pending; else null. */
export async function headAsset(store: S3Store, key: string): Promise<AssetModel | null> {
  const [head, pending] = await Promise.all([headObject(store, key), headObject(store, pendingKey(key))]);
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

export async function writePendingUpload(store: S3Store, pendingKey: string, upload: PendingUpload): Promise<void> {
  await withS3Errors(() =>
    store.client.send(
      new PutObjectCommand({
        Bucket: store.bucket,
        Key: pendingKey,
        Body: JSON.stringify(upload),
        ContentType: 'application/json',
      }),
    ),
  );
}

export async function deleteObject(store: S3Store, key: string): Promise<void> {
  await withS3Errors(() => store.client.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: key })));
}

/**
 * Stores a product image from the server side (demo data, imports): complete
 * at once, with no pending record. Client uploads go straight to S3 with
 * presigned requests instead (uploads.ts).
 */
export async function putProductImage(
  store: S3Store,
  productId: string,
  image: { filename: string; contentType: string; body: Buffer },
): Promise<string> {
  const key = newAssetKey('products', productId, image.filename);
  await withS3Errors(() =>
    store.client.send(
      new PutObjectCommand({ Bucket: store.bucket, Key: key, Body: image.body, ContentType: image.contentType }),
    ),
  );
  return key;
}

/** Deletes every object under a prefix, 1000 per request; returns the deleted keys. */
export async function deletePrefix(store: S3Store, prefix: string): Promise<string[]> {
  const deleted: string[] = [];
  // Bounded: each round removes up to 1000 objects, and the prefix only shrinks.
  for (let round = 0; round < 10_000; round++) {
    const page = await withS3Errors(() =>
      store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, Prefix: prefix, MaxKeys: 1000 })),
    );
    const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
    if (keys.length === 0) break;
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
