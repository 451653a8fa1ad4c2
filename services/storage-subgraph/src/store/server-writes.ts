import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ownerCacheId, type StorageCache } from '../cache.js';
import { newAssetKey, pendingObjectKey, type OwnerType } from './keys.js';
import type { PendingUpload } from '../models.js';
import { writePendingUpload } from './objects.js';
import { withS3Errors, type S3Store } from './s3.js';
import { finishUpload } from './uploads.js';

/** What a server-side writer needs: the bucket, and the cache whose lists it makes stale. */
export interface AssetWriter {
  s3: S3Store;
  cache: StorageCache;
}

export interface ServerFile {
  filename: string;
  contentType: string;
  body: Buffer;
}

/**
 * Stores an asset from the server side (demo data, imports) the way a
 * client's upload is stored: a key of the scheme, a pending record and
 * marker first (a crash midway leaves what the sweep removes), the bytes at
 * the pending object, then the same completion (`finishUpload`: size, type
 * and magic number checked, then copied to the served key), so there is one
 * check for every writer. The client rules (`requestUpload`) are not
 * applied: the caller is trusted, and the demo's SVG images, which clients
 * may not upload, come only from here. Returns the key.
 */
export async function putServerAsset(
  { s3, cache }: AssetWriter,
  ownerType: OwnerType,
  ownerId: string,
  file: ServerFile,
): Promise<string> {
  const key = newAssetKey(ownerType, ownerId, file.filename);
  const upload: PendingUpload = {
    key,
    contentType: file.contentType,
    size: file.body.length,
    expiresAt: new Date(Date.now() + s3.uploads.urlTtlSeconds * 1000).toISOString(),
  };
  await writePendingUpload(s3, upload);
  await withS3Errors(() =>
    s3.client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: pendingObjectKey(key),
        Body: file.body,
        ContentType: file.contentType,
      }),
    ),
  );
  const completion = await finishUpload(s3, key, null, { authorize: async () => {}, beforeVisible: async () => {} });
  if (completion.status !== 'completed') {
    throw new Error(`${key} was not stored: ${completion.status === 'rejected' ? completion.reason : 'no record'}`);
  }
  // Lists are cached empty too: drop the owner's so the asset shows at once on every replica.
  await cache.ownerAssets.invalidate([ownerCacheId(ownerType, ownerId.toLowerCase())]);
  return key;
}

/** A product image from the server side (see `putServerAsset`). */
export const putProductImage = (writer: AssetWriter, productId: string, image: ServerFile) =>
  putServerAsset(writer, 'products', productId, image);
