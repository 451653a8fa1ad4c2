import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, Teardown } from '@polystore/common';
import { createS3Store } from '@polystore/storage-subgraph/operations';
import { downloadSet, parseS3Location, requireOtherBucket } from './backup/remote-set.js';
import { StoreUnreachable } from './consistency/stores.js';
import { restoreBackup, StoresNotEmpty } from './restore/restore.js';
import { UnusableSet } from './restore/set-reader.js';
import { servicesOfStackRunning, storesConfig } from './stack-config.js';

/**
 * `npm run restore -- <set> [--replace] [--to-time <moment>]`: restores a backup set (a folder, or
 * `s3://bucket/prefix`, copied first into a private staging folder) into the
 * configured stores, or those of a stack started by `npm start` in the same
 * DATA_DIR (stop its services first); with --to-time, PostgreSQL as it was at
 * that moment (the set's base backup and the WAL archive). Exit code 0 when restored; 2 when it
 * refused before writing anything (a damaged, partial or foreign set, a
 * wrong key, a store that cannot be reached, stores that hold data without
 * --replace, a bad argument; one line says which); 1 when it failed midway.
 */
// The pinned AWS SDK supports Node 20; its notice about future releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const REFUSALS = [UnusableSet, StoresNotEmpty, StoreUnreachable];
try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      replace: { type: 'boolean', default: false },
      'to-time': { type: 'string' },
      'wal-archive': { type: 'string' },
    },
  });
  if (positionals.length !== 1)
    throw new Error(
      'usage: npm run restore -- <backup set folder or s3://bucket/prefix> [--replace] [--to-time <ISO 8601 moment with its zone> [--wal-archive <folder>]]',
    );
  const pointInTime =
    values['to-time'] === undefined
      ? undefined
      : { toTime: moment(values['to-time']), walArchiveDir: values['wal-archive'] };
  const running = await servicesOfStackRunning();
  if (running) throw new Error(running);
  const config = await storesConfig();
  const log = createLogger('restore', config.logLevel, config.logFormat, process.stderr);
  const remote = parseS3Location(positionals[0]!);
  if (remote) requireOtherBucket(remote, config.s3.bucket);
  const staging = remote ? await mkdtemp(join(tmpdir(), 'polystore-restore-')) : undefined;
  const teardown = new Teardown(log);
  try {
    const from = staging ? join(staging, 'set') : positionals[0]!;
    // A set in S3 is copied whole first, then checked file by file like any set, before anything is written.
    if (remote) await downloadSet(createS3Store(config, teardown), remote, from, (why) => new UnusableSet(why));
    const { manifest, eventsToReplay, replaced, role } = await restoreBackup({
      config,
      log,
      from,
      replace: values.replace,
      pointInTime,
    });
    console.log(
      [
        pointInTime
          ? `restored the set of ${manifest.finishedAt}, PostgreSQL recovered to ${pointInTime.toTime.toISOString()}`
          : `restored the set of ${manifest.finishedAt} (migration ${manifest.migrationLevel.last ?? 'none'})`,
        replaced.length ? `  replaced: ${replaced.join(', ')}` : '  into empty stores',
        `  as PostgreSQL role ${role}, the schema's owner; the services' roles got their grants from the migrations`,
        `  ${eventsToReplay} events since the copy began are sent again when the services start;`,
        '  once they are applied, npm run check-consistency reports the stores whole',
      ].join('\n'),
    );
  } catch (err) {
    if (REFUSALS.some((refusal) => err instanceof refusal)) throw err;
    console.error(`restore: failed midway, the stores are partly restored: ${(err as Error).message}`);
    process.exitCode = 1;
  } finally {
    await teardown.close();
    if (staging) await rm(staging, { recursive: true, force: true });
  }
} catch (err) {
  console.error(`restore: ${(err as Error).message}`);
  process.exitCode = 2;
}

/** A moment given on the command line: ISO 8601 with its zone (`Z` or an offset), never the machine's local time. */
function moment(text: string): Date {
  const date = new Date(text);
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(text.trim()) || Number.isNaN(date.getTime()))
    throw new Error(`--to-time ${text}: give an ISO 8601 moment with its zone, as 2026-12-06T10:15:00Z`);
  return date;
}
