import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, Teardown } from '@polystore/common';
import { createS3Store } from '@polystore/storage-subgraph/operations';
import { takeBackup } from './backup/backup.js';
import {
  formatS3Location,
  parseS3Location,
  requireEmptyPrefix,
  requireOtherBucket,
  uploadSet,
} from './backup/remote-set.js';
import { pruneSets, pruneWalArchive, setName } from './backup/retention.js';
import { summarize } from './backup/summary.js';
import { StoreUnreachable } from './consistency/stores.js';
import { storesConfig } from './stack-config.js';

/**
 * `npm run backup [-- --out <dir or s3://bucket/prefix>] [-- --keep N]`: writes
 * one backup set of the four stores (docs/operations.md, _Backups_) into
 * `--out`, else into a new `<UTC timestamp>` folder (or prefix) under
 * BACKUP_DIR (default `./backups`); a set for S3 is written to a private
 * staging folder first, then copied to the prefix, manifest last. With
 * `--keep N` (folders only), then removes the complete sets there older than the N newest, and the
 * WAL archive's segments (POSTGRES_WAL_ARCHIVE_DIR) that no kept set needs. It reads the stores of a stack started by
 * `npm start` in the same DATA_DIR, else the configured ones. Exit code 0
 * with the set's path and counts; 2 when a store cannot be reached or an
 * argument is wrong (one line, nothing written); 1 when the copy failed
 * midway (the set has no manifest: incomplete).
 */
// The pinned AWS SDK supports Node 20; its notice about future releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
try {
  const { values } = parseArgs({ options: { out: { type: 'string' }, keep: { type: 'string' } } });
  const keep = values.keep === undefined ? undefined : Number(values.keep);
  if (keep !== undefined && !(Number.isInteger(keep) && keep >= 1))
    throw new Error('--keep takes a whole number of sets, at least 1');
  const config = await storesConfig();
  const log = createLogger('backup', config.logLevel, config.logFormat, process.stderr);
  const parent = config.backups.dir ?? 'backups';
  const name = setName(new Date());
  const remote = parseS3Location(values.out ?? `${parent.replace(/\/+$/, '')}/${name}`);
  if (remote) requireOtherBucket(remote, config.s3.bucket);
  if (remote && keep !== undefined)
    throw new Error('--keep prunes sets in a folder; for sets in S3 use a lifecycle rule on the prefix');
  const staging = remote ? await mkdtemp(join(tmpdir(), 'polystore-backup-')) : undefined;
  const out = staging ? join(staging, 'set') : (values.out ?? join(parent, name));
  const where = remote ? formatS3Location(remote) : out;
  const teardown = new Teardown(log);
  try {
    // With the product's S3 connection (S3_ENDPOINT and its credentials), into the bucket named; refused
    // before anything is copied unless the prefix is new.
    const s3 = remote ? createS3Store(config, teardown) : undefined;
    if (remote) await requireEmptyPrefix(s3!, remote);
    try {
      const { dir, manifest } = await takeBackup({ config, log, out });
      if (remote) {
        const files = await uploadSet(s3!, dir, remote);
        console.log(summarize(where, manifest));
        console.log(`copied ${files} files to ${where}`);
      } else console.log(summarize(dir, manifest));
      if (keep !== undefined) {
        const { kept, removed, incomplete } = await pruneSets(values.out ? dirname(out) : parent, keep);
        console.log(`kept the ${keep} newest complete sets; removed ${removed.length ? removed.join(', ') : 'none'}`);
        if (incomplete.length) console.log(`incomplete sets left for you to check: ${incomplete.join(', ')}`);
        const archive = config.backups.walArchiveDir;
        if (archive) console.log(`removed ${await pruneWalArchive(archive, kept)} WAL segments no kept set needs`);
      }
    } catch (err) {
      if (err instanceof StoreUnreachable) throw err;
      console.error(`backup: failed, the set in ${where} is incomplete (no manifest): ${(err as Error).message}`);
      process.exitCode = 1;
    }
  } finally {
    await teardown.close();
    if (staging) await rm(staging, { recursive: true, force: true });
  }
} catch (err) {
  console.error(`backup: ${(err as Error).message}`);
  process.exitCode = 2;
}
