import { chown, mkdir, open } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';

/** Seconds after which a WAL segment with writes in it is archived even if not full. */
export const WAL_ARCHIVE_TIMEOUT_S = 60;

/**
 * The cluster's system identifier, from its control file (the first 8 bytes,
 * in the machine's byte order): unique to each `initdb`, so two clusters
 * never share an archive folder whose segment names would collide.
 */
export async function systemIdentifier(dataDir: string): Promise<string> {
  const file = await open(join(dataDir, 'global', 'pg_control'));
  try {
    const { buffer } = await file.read({ buffer: Buffer.alloc(8), position: 0 });
    return String(endianness() === 'LE' ? buffer.readBigUInt64LE(0) : buffer.readBigUInt64BE(0));
  } finally {
    await file.close();
  }
}

/** Where a cluster's segments go under the archive's root (POSTGRES_WAL_ARCHIVE_DIR): a folder per cluster. */
export const clusterArchive = (root: string, systemId: string) => join(root, systemId);

/**
 * Continuous WAL archiving of the cluster in `dataDir` into its folder under
 * `root`, with PostgreSQL's own `basic_archive` module (it writes each
 * segment to a temporary file, syncs it, then renames it: a crash never
 * leaves half a segment under its final name). A segment is switched at
 * least every WAL_ARCHIVE_TIMEOUT_S while there are writes: what a
 * point-in-time restore can lose at most.
 */
export async function walArchiveSettings(
  root: string,
  dataDir: string,
  account: { uid: number; gid: number } | undefined,
): Promise<string[]> {
  const dir = clusterArchive(root, await systemIdentifier(dataDir));
  for (const folder of [root, dir]) {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    if (account) await chown(folder, account.uid, account.gid);
  }
  return [
    ...['-c', 'archive_mode=on', '-c', 'archive_library=basic_archive'],
    ...['-c', `basic_archive.archive_directory=${dir}`, '-c', `archive_timeout=${WAL_ARCHIVE_TIMEOUT_S}`],
  ];
}
