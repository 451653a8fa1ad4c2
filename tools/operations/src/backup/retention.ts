import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
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
export async function pruneSets(parent: string, keep: number): Promise<{ removed: string[]; incomplete: string[] }> {
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
  return { removed, incomplete };
}
