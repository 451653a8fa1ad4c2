import type { Logger, PubSub, ReferenceChecker, ReferenceLoader, Viewer } from '@polystore/common';
import type { StorageCache } from './cache.js';
import { createLoaders, type StorageLoaders } from './loaders.js';
import type { AssetModel } from './models.js';
import type { OrderOwnerLoader, OrderOwners } from './ownership.js';
import type { S3Store } from './store/s3.js';

/** Live pub/sub topics of this service: an asset completed (payload as JSON, so dates arrive as strings). */
export type StorageEvents = { AssetUploaded: [AssetModel] };

export interface StorageContext {
  s3: S3Store;
  cache: StorageCache;
  loaders: StorageLoaders;
  /** Whether owners exist, asked of the subgraph that owns them; per request. */
  references: ReferenceLoader;
  /** Who asks (forwarded, signed claims): whose uploads, avatars and attachments they may touch. */
  viewer: Viewer;
  /** Whose each order is, asked of the sql-subgraph; per request. */
  orderOwners: OrderOwnerLoader;
  pubsub: PubSub<StorageEvents>;
  log: Logger;
}

export interface StorageServices {
  s3: S3Store;
  cache: StorageCache;
  references: ReferenceChecker;
  orderOwners: OrderOwners;
  pubsub: PubSub<StorageEvents>;
  log: Logger;
}

/** A service run alone without a signing secret trusts its caller and checks no ownership. */
const UNCHECKED: Viewer = { enforced: false, userId: undefined, admin: false };

export function createContext(
  { s3, cache, references, orderOwners, pubsub, log }: StorageServices,
  viewer: Viewer = UNCHECKED,
): StorageContext {
  return {
    s3,
    cache,
    pubsub,
    log,
    viewer,
    references: references.loader(),
    orderOwners: orderOwners.loader(),
    loaders: createLoaders(cache),
  };
}
