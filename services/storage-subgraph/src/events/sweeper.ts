import type { Logger, Teardown } from '@polystore/common';
import type { S3Store } from '../s3.js';
import { sweepExpiredUploads } from '../uploads.js';

/** How often each replica looks for expired uploads. */
export const SWEEP_INTERVAL_MS = 60_000;

/**
 * Removes uploads never completed, after their expiry. The pending records
 * are in the bucket, not in Redis, so this works with Redis down and with any
 * number of replicas (each sweeps; the deletes are idempotent).
 */
export function startUploadSweeper({ s3, log, teardown }: { s3: S3Store; log: Logger; teardown: Teardown }): void {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepExpiredUploads(s3, log).catch((err: unknown) => log.warn({ err }, 'upload sweep failed'));
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  teardown.add('upload sweeper', async () => {
    clearInterval(timer);
    await running;
  });
}
