import type { _Object } from '@aws-sdk/client-s3';
import type { Logger, Teardown } from '@polystore/common';
import {
  parseKey,
  pendingKey,
  pendingMarkerKey,
  pendingObjectKey,
  PENDING_PREFIX,
  recordOfPendingObject,
} from '../store/keys.js';
import type { PendingUpload } from '../models.js';
import { deleteObject, headObject, listPages, readPendingUpload } from '../store/objects.js';
import type { S3Store } from '../store/s3.js';
import { abortMultipart, discardUpload } from '../store/uploads.js';

/** Pending records one sweep looks at: 1000 per page. */
const MAX_SWEEP_PAGES = 100;

/**
 * Forgets an upload whose marker is gone: it was completed (and a crash or
 * a race left its record), so only its pending object and record go, and a
 * multipart upload still open (an owner deleted meanwhile) is aborted.
 */
async function forgetCompletedUpload(store: S3Store, upload: PendingUpload): Promise<void> {
  if (upload.multipartUploadId) await abortMultipart(store, upload).catch(() => {});
  await deleteObject(store, pendingObjectKey(upload.key));
  await deleteObject(store, pendingKey(upload.key));
}

/**
 * Removes uploads whose expiry (plus UPLOAD_SWEEP_GRACE_SECONDS, so a
 * completion that began in time can finish) has passed, with what they left
 * in S3, and pending objects whose upload is over (a presigned PUT replayed
 * after completion). All state is in the bucket, so every replica may sweep:
 * the deletes are idempotent. Bounded by the listing limit per run; returns
 * the number of expired uploads removed.
 */
export async function sweepExpiredUploads(store: S3Store, log: Logger, now = new Date()): Promise<number> {
  const graceMs = store.uploads.sweepGraceSeconds * 1000;
  const records: _Object[] = [];
  for await (const page of listPages(store, PENDING_PREFIX, MAX_SWEEP_PAGES)) records.push(...page);
  const listed = new Set(records.map((record) => record.Key));
  let removed = 0;
  let orphans = 0;
  for (const record of records) {
    if (!record.Key) continue;
    const ownRecord = recordOfPendingObject(record.Key);
    if (ownRecord !== null) {
      // A record is written before its URL and deleted last, so bytes without one came after the upload ended.
      if (!listed.has(ownRecord) && !(await headObject(store, ownRecord))) {
        await deleteObject(store, record.Key);
        orphans++;
      }
      continue;
    }
    const upload = await readPendingUpload(store, record.Key).catch((err: unknown) => {
      if (err instanceof SyntaxError) return 'unreadable' as const;
      throw err;
    });
    if (upload === null) continue; // completed or removed since the listing
    if (upload === 'unreadable' || !parseKey(upload.key) || pendingKey(upload.key) !== record.Key) {
      // Not a record this service wrote: garbage once it is a day old.
      if (record.LastModified && now.getTime() - record.LastModified.getTime() > 86_400_000) {
        await deleteObject(store, record.Key);
      }
      continue;
    }
    if (new Date(upload.expiresAt).getTime() + graceMs > now.getTime()) continue;
    if (await headObject(store, pendingMarkerKey(upload.key))) {
      await discardUpload(store, upload);
      removed++;
    } else await forgetCompletedUpload(store, upload);
  }
  if (removed > 0 || orphans > 0) log.info({ removed, orphans }, 'removed expired uploads and orphaned bytes');
  return removed;
}

/**
 * Removes uploads never completed, after their expiry, every
 * UPLOAD_SWEEP_INTERVAL_SECONDS. The pending records are in the bucket, not
 * in Redis, so this works with Redis down and with any number of replicas
 * (each sweeps; the deletes are idempotent). A sweep still running when the
 * next is due is left to finish instead of doubled.
 */
export function startUploadSweeper({ s3, log, teardown }: { s3: S3Store; log: Logger; teardown: Teardown }): void {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= sweepExpiredUploads(s3, log)
      .catch((err: unknown) => log.warn({ err }, 'upload sweep failed'))
      .finally(() => (running = undefined));
  }, s3.uploads.sweepIntervalSeconds * 1000);
  timer.unref();
  teardown.add('upload sweeper', async () => {
    clearInterval(timer);
    await running;
  });
}
