import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { clusterArchive } from '@polystore/embedded';
import { readManifest } from '../restore/set-reader.js';
import { MANIFEST } from './set-writer.js';

/** A set's folder name under BACKUP_DIR: its start as an ISO time with `:` and `.` as `-`. */
export const setName = (at: Date) => at.toISOString().replace(/[:.]/g, '-');
const SET_NAME = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

/**
 * `--keep N`: removes the complete sets under `parent` older than its N newest
 * complete ones. Only folders named as `npm run backup` names them are
 * considered; a set without its manifest (failed midway, or still being
 * written by another run) is never removed here, only reported, so an operator
 * decides. Names sort by time, so the newest are the last.
 */
export async function pruneSets(
  parent: string,
  keep: number,
): Promise<{ kept: string[]; removed: string[]; incomplete: string[] }> {
  const names = (await readdir(parent)).filter((name) => SET_NAME.test(name)).sort();
  const complete: string[] = [];
  const incomplete: string[] = [];
  for (const name of names) {
    const hasManifest = await stat(join(parent, name, MANIFEST)).then(
      (found) => found.isFile(),
      () => false,
    );
    (hasManifest ? complete : incomplete).push(name);
  }
  const removed = complete.slice(0, Math.max(0, complete.length - keep));
  for (const name of removed) await rm(join(parent, name), { recursive: true, force: true });
  return { kept: complete.slice(removed.length).map((name) => join(parent, name)), removed, incomplete };
}

/** An archived WAL segment (`.partial` from a promotion) or a backup history file; timeline history files are kept. */
const SEGMENT = /^[0-9A-F]{24}(\.partial|\.[0-9A-F]{8}\.backup)?$/;

/**
 * After `pruneSets`: removes from the WAL archive (its root, a folder per
 * cluster) the segments that no kept set's base backup needs: in each
 * cluster's folder, those older than the first segment of that cluster's
 * oldest kept base backup (compared without the timeline, as
 * `pg_archivecleanup` does). A cluster no kept set comes from is left alone.
 * Returns how many files were removed.
 */
export async function pruneWalArchive(root: string, keptSets: string[]): Promise<number> {
  const oldestByCluster = new Map<string, string>();
  for (const dir of keptSets) {
    const manifest = readManifest(await readFile(join(dir, MANIFEST), 'utf8'), dir);
    const base = manifest.stores.postgres.base;
    if (!base || 'skipped' in base) continue;
    const start = base.startWalFile.slice(8);
    const oldest = oldestByCluster.get(base.systemIdentifier);
    if (oldest === undefined || start < oldest) oldestByCluster.set(base.systemIdentifier, start);
  }
  let removed = 0;
  for (const [cluster, oldest] of oldestByCluster) {
    const folder = clusterArchive(root, cluster);
    for (const name of await readdir(folder).catch(() => [])) {
      if (SEGMENT.test(name) && name.slice(8, 24) < oldest) {
        await rm(join(folder, name), { force: true });
        removed++;
      }
    }
  }
  return removed;
}
