import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { badUserInput } from '@polystore/common';
import { contentProblem, SNIFF_BYTES } from '../content-check.js';
import { newAssetKey, pendingKey, pendingMarkerKey, pendingObjectKey, type OwnerType } from './keys.js';
import type { PendingUpload } from '../models.js';
import {
  copyObject,
  deleteObject,
  headObject,
  readObjectStart,
  readPendingUpload,
  writePendingUpload,
} from './objects.js';
import { withS3Errors, type S3Store } from './s3.js';

/** Size of each part of a multipart plan but the last (S3 wants at least 5 MiB). */
export const PART_SIZE = 8 * 1024 * 1024;
/** S3's limit on the number of parts. */
const MAX_PARTS = 10_000;

export interface UploadPlan {
  key: string;
  url: string | null;
  headers: { name: string; value: string }[];
  multipart: { partSize: number; parts: { partNumber: number; url: string; size: number }[] } | null;
  expiresAt: Date;
}

/**
 * Records the upload as pending, then presigns it: one PUT bound to the
 * upload's pending object (never the key it will be served from), content
 * type and length, or (from the threshold on) a multipart upload of that
 * pending object with one presigned PUT per part, each bound to its length.
 * Assumes the owner and the rules were checked.
 */
export async function planUpload(
  store: S3Store,
  request: {
    ownerType: OwnerType;
    ownerId: string;
    filename: string;
    contentType: string;
    size: number;
    /** The signed-in user asking; undefined when the service checks no ownership. */
    requestedBy: string | undefined;
  },
): Promise<UploadPlan> {
  const key = newAssetKey(request.ownerType, request.ownerId, request.filename);
  const staged = pendingObjectKey(key);
  const expiresIn = store.uploads.urlTtlSeconds;
  const expiresAt = new Date(Date.now() + expiresIn * 1000);
  const pending: PendingUpload = {
    key,
    contentType: request.contentType,
    size: request.size,
    expiresAt: expiresAt.toISOString(),
    requestedBy: request.requestedBy,
  };
  if (request.size < store.uploads.multipartThresholdBytes) {
    // The record comes first: an object can only exist while its record does, so the sweep finds it.
    await writePendingUpload(store, pending);
    const url = await getSignedUrl(
      store.presigner,
      new PutObjectCommand({
        Bucket: store.bucket,
        Key: staged,
        ContentType: request.contentType,
        ContentLength: request.size,
      }),
      { expiresIn, signableHeaders: new Set(['content-type', 'content-length']) },
    );
    return {
      key,
      url,
      headers: [{ name: 'Content-Type', value: request.contentType }],
      multipart: null,
      expiresAt,
    };
  }

  const partCount = Math.ceil(request.size / PART_SIZE);
  if (partCount > MAX_PARTS) throw badUserInput('size needs more parts than S3 allows', { argumentName: 'size' });
  const created = await withS3Errors(() =>
    store.client.send(
      new CreateMultipartUploadCommand({ Bucket: store.bucket, Key: staged, ContentType: request.contentType }),
    ),
  );
  pending.multipartUploadId = created.UploadId!;
  try {
    await writePendingUpload(store, pending);
  } catch (err) {
    await abortMultipart(store, pending).catch(() => {});
    throw err;
  }
  const parts = await Promise.all(
    Array.from({ length: partCount }, async (_, i) => {
      const size = Math.min(PART_SIZE, request.size - i * PART_SIZE);
      const url = await getSignedUrl(
        store.presigner,
        new UploadPartCommand({
          Bucket: store.bucket,
          Key: staged,
          UploadId: pending.multipartUploadId,
          PartNumber: i + 1,
          ContentLength: size,
        }),
        { expiresIn, signableHeaders: new Set(['content-length']) },
      );
      return { partNumber: i + 1, url, size };
    }),
  );
  return { key, url: null, headers: [], multipart: { partSize: PART_SIZE, parts }, expiresAt };
}

/** Aborts the multipart upload of a pending object; throws when S3 no longer knows it. */
export const abortMultipart = (store: S3Store, upload: PendingUpload) =>
  withS3Errors(() =>
    store.client.send(
      new AbortMultipartUploadCommand({
        Bucket: store.bucket,
        Key: pendingObjectKey(upload.key),
        UploadId: upload.multipartUploadId,
      }),
    ),
  );

/**
 * Removes whatever an upload left (its parts, its pending object, a copy at
 * its served key that a failed completion made, its marker) and then its
 * record. Idempotent.
 */
export async function discardUpload(store: S3Store, upload: PendingUpload): Promise<void> {
  if (upload.multipartUploadId) {
    await abortMultipart(store, upload).catch(() => {
      // Already completed or aborted: the object, if any, is deleted below.
    });
  }
  await deleteObject(store, pendingObjectKey(upload.key));
  await deleteObject(store, upload.key);
  // The marker after the object: a marker gone means "completed" to the sweep.
  await deleteObject(store, pendingMarkerKey(upload.key));
  // Last: while the record exists, the sweep will come back for the rest.
  await deleteObject(store, pendingKey(upload.key));
}

export type Completion =
  | { status: 'completed' }
  | { status: 'unknown' }
  | { status: 'rejected'; reason: string; extensions?: Record<string, unknown> };

export interface CompletionSteps {
  /** Runs on the record before anything is touched; throws to refuse (someone else's upload, an owner gone). */
  authorize(upload: PendingUpload): Promise<void>;
  /** Runs once the object is verified, before it becomes visible (avatars replace the old one here). */
  beforeVisible(): Promise<void>;
}

/**
 * Checks an upload's bytes and copies them to the key they are served from;
 * the reason they cannot be served, or null once the copy is in place (still
 * hidden by the marker). The pending object must have the declared size and
 * type; the magic number and size are then read from the copy, which no URL
 * can write, so a PUT replayed while this runs cannot slip past the check.
 */
async function checkAndCopy(store: S3Store, upload: PendingUpload): Promise<string | null> {
  const staged = pendingObjectKey(upload.key);
  const head = await headObject(store, staged);
  if (!head) return 'nothing was uploaded';
  if (head.ContentLength !== upload.size)
    return `the object has ${head.ContentLength} bytes, ${upload.size} were declared`;
  if (normalizeType(head.ContentType) !== upload.contentType) {
    return `the object is ${head.ContentType ?? 'untyped'}, ${upload.contentType} was declared`;
  }
  await copyObject(store, staged, upload.key, upload.contentType);
  const copy = await readObjectStart(store, upload.key, SNIFF_BYTES);
  if (!copy) return 'the object is gone';
  if (copy.size !== upload.size) return `the object has ${copy.size} bytes, ${upload.size} were declared`;
  return contentProblem(upload.contentType, copy.head);
}

/**
 * Completes a pending upload: finishes a multipart upload, then checks the
 * bytes (size, type and magic number) and copies them to the served key. On
 * any mismatch everything the upload left is removed. On success the marker
 * goes, which is what makes the asset visible, then the pending object and
 * the record.
 */
export async function finishUpload(
  store: S3Store,
  key: string,
  parts: { partNumber: number; etag: string }[] | null | undefined,
  { authorize, beforeVisible }: CompletionSteps,
  now = new Date(),
): Promise<Completion> {
  const upload = await readPendingUpload(store, pendingKey(key));
  if (!upload || upload.key !== key) return { status: 'unknown' };
  await authorize(upload);
  if (new Date(upload.expiresAt) < now) {
    await discardUpload(store, upload);
    return { status: 'rejected', reason: 'the upload expired before it was completed' };
  }
  if (upload.multipartUploadId) {
    if (!parts || parts.length === 0) {
      // Not an answer about the object: the client may still send the parts.
      throw badUserInput('a multipart upload is completed with its parts', { argumentName: 'parts' });
    }
    try {
      await store.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: store.bucket,
          Key: pendingObjectKey(key),
          UploadId: upload.multipartUploadId,
          MultipartUpload: {
            Parts: [...parts]
              .sort((a, b) => a.partNumber - b.partNumber)
              .map(({ partNumber, etag }) => ({ PartNumber: partNumber, ETag: etag })),
          },
        }),
      );
    } catch (err) {
      await discardUpload(store, upload);
      return { status: 'rejected', reason: `the parts do not form the upload (${(err as Error).name})` };
    }
  }
  const problem = await checkAndCopy(store, upload);
  if (problem) {
    await discardUpload(store, upload);
    return { status: 'rejected', reason: problem };
  }
  await beforeVisible();
  // The marker goes first (the asset is visible from then on), the record last: a record
  // without its marker is a completed upload to the sweep, and a retry completes it again.
  await deleteObject(store, pendingMarkerKey(key));
  await deleteObject(store, pendingObjectKey(key));
  await deleteObject(store, pendingKey(key));
  return { status: 'completed' };
}

const normalizeType = (type: string | undefined) => type?.split(';')[0]?.trim().toLowerCase();
