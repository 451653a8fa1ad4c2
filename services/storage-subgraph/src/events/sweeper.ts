import type { Logger, Teardown } from '@polystore/common';
import type { S3Store } from '../s3.js';
import { sweepExpiredUploads } from '../uploads.js';

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
