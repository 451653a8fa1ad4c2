import {
  listPages,
  parseKey,
  pendingKey,
  PENDING_PREFIX,
  recordOfMarker,
  type OwnerType,
} from '@polystore/storage-subgraph/operations';
import { missingIn } from './batches.js';
import { MAX_LIST_PAGES } from './pending-uploads.js';
import type { FindingKind, Tallies } from './report.js';
import type { Stores } from './stores.js';

/** What each owner type's objects are, and the finding for those whose owner is gone (storage-subgraph rules.ts). */
const ORPHANS: Record<OwnerType, FindingKind> = {
  products: 'imagesOfMissingProducts',
  users: 'avatarsOfMissingUsers',
  orders: 'attachmentsOfMissingOrders',
};

/**
 * S3 → PostgreSQL: lists the whole bucket a page at a time (the pending
 * records were read first: `records`). Each completed asset's owner
 * (`{products|users|orders}/{id}/…`) must exist: a deleted product's or
 * user's objects go on ProductDeleted and UserDeleted, and orders are never
 * deleted. Objects of uploads still pending are not assets yet; a pending
 * marker must have its upload's record (the sweep reads only records); a key
 * outside the scheme is never written by the service. Object bodies are never
 * read. Returns how many objects (outside `pending/`) were listed.
 */
export async function checkObjects({ sql, s3 }: Stores, records: ReadonlySet<string>, tallies: Tallies) {
  let listed = 0;
  for await (const page of listPages(s3, '', MAX_LIST_PAGES)) {
    const owned: Record<OwnerType, Map<string, string[]>> = {
      products: new Map(),
      users: new Map(),
      orders: new Map(),
    };
    for (const { Key: key } of page) {
      if (!key || key.startsWith(PENDING_PREFIX)) continue;
      listed++;
      const record = recordOfMarker(key);
      if (record !== null) {
        if (!records.has(record)) tallies.found('markersWithoutUpload', key);
        continue;
      }
      const parsed = parseKey(key);
      if (!parsed) tallies.found('objectsOutsideKeyScheme', key);
      else if (!records.has(pendingKey(key))) {
        const keys = owned[parsed.ownerType].get(parsed.ownerId) ?? [];
        owned[parsed.ownerType].set(parsed.ownerId, [...keys, key]);
      }
    }
    for (const ownerType of Object.keys(owned) as OwnerType[]) {
      const owners = owned[ownerType];
      for (const ownerId of await missingIn(sql, ownerType, owners.keys())) {
        for (const key of owners.get(ownerId)!) tallies.found(ORPHANS[ownerType], key);
      }
    }
  }
  return listed;
}
