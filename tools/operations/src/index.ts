/**
 * Operators' tools over the four stores at once (the top tier: it reads the
 * stores through the subgraphs' `./operations` entries): the consistency
 * checker, backups and restores, the services' Redis users on every server.
 */
export { checkConsistency, type CheckOptions } from './consistency/check.js';
export { formatReport } from './consistency/summary.js';
export { StoreUnreachable } from './consistency/stores.js';
export {
  FINDINGS,
  LEFTOVERS,
  type ConsistencyReport,
  type FindingKind,
  type LeftoverKind,
  type Tally,
} from './consistency/report.js';
export { takeBackup, type BackupOptions } from './backup/backup.js';
export type { Manifest } from './backup/manifest.js';
export { pruneWalArchive } from './backup/retention.js';
export type { ObjectEntry } from './backup/s3.js';
export { BackupSet, DIR_MODE, FILE_MODE, MANIFEST, type SetFile } from './backup/set-writer.js';
export { restoreBackup, StoresNotEmpty, type RestoreOptions, type RestoreResult } from './restore/restore.js';
export type { PointInTime } from './restore/point-in-time.js';
export { SetReader, UnusableSet } from './restore/set-reader.js';
export { WrongKey } from './backup/encryption.js';
export { newRedisPassword, provisionRedisUsers } from './redis-users/provision.js';
export { deploymentNodes, type RedisNode } from './redis-users/nodes.js';
