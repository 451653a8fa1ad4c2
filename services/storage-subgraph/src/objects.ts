import { createHash } from 'node:crypto';
import { DeleteObjectsCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { AssetModel } from './models.js';
import { assetIdFromKey, newProductImageKey } from './keys.js';
import { isNotFound, withS3Errors, type S3Store } from './s3.js';

/** Bounds a product's image list; a product with more is a bug or an abuse. */
export const MAX_LISTED_OBJECTS = 1_000;

/** Reads an object's metadata; null when it does not exist. */
export async function headAsset(store: S3Store, key: string): Promise<AssetModel | null> {
  try {
    const head = await withS3Errors(() => store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key })));
    return {
      id: assetIdFromKey(key),
      key,
      filename: head.Metadata?.filename ?? key.slice(key.lastIndexOf('/') + 1),
      contentType: head.ContentType ?? 'application/octet-stream',
      size: head.ContentLength ?? 0,
      checksum: head.Metadata?.sha256 ?? (head.ETag ?? '').replaceAll('"', ''),
      createdAt: head.LastModified ?? new Date(0),
    };
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** Keys under a prefix, oldest first, following continuation tokens up to MAX_LISTED_OBJECTS. */
export async function listKeys(store: S3Store, prefix: string): Promise<string[]> {
  const objects: { key: string; modified: number }[] = [];
  let token: string | undefined;
  do {
    const page = await withS3Errors(() =>
      store.client.send(
        new ListObjectsV2Command({ Bucket: store.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }),
      ),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key) objects.push({ key: object.Key, modified: object.LastModified?.getTime() ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token && objects.length < MAX_LISTED_OBJECTS);
  return objects
    .sort((a, b) => a.modified - b.modified || a.key.localeCompare(b.key))
    .slice(0, MAX_LISTED_OBJECTS)
    .map((object) => object.key);
}

/**
 * Stores a product image from the server side (seeding, imports). Client
 * uploads go straight to S3 with presigned requests instead.
 */
export async function putProductImage(
  store: S3Store,
  productId: string,
  image: { filename: string; contentType: string; body: Buffer },
): Promise<string> {
  const key = newProductImageKey(productId, image.filename);
  await withS3Errors(() =>
    store.client.send(
      new PutObjectCommand({
        Bucket: store.bucket,
        Key: key,
        Body: image.body,
        ContentType: image.contentType,
        Metadata: { filename: image.filename, sha256: createHash('sha256').update(image.body).digest('hex') },
      }),
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
