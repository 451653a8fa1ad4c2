import type { Logger, PubSub, ReferenceChecker, ReferenceLoader } from '@polystore/common';
import type { StorageCache } from './cache.js';
import { createLoaders, type StorageLoaders } from './loaders.js';
import type { AssetModel } from './models.js';
import type { S3Store } from './s3.js';

/** Live pub/sub topics of this service: an asset completed (payload as JSON, so dates arrive as strings). */
export type StorageEvents = { AssetUploaded: [AssetModel] };

export interface StorageContext {
  s3: S3Store;
  cache: StorageCache;
  loaders: StorageLoaders;
  /** Whether owners exist, asked of the subgraph that owns them; per request. */
  references: ReferenceLoader;
  pubsub: PubSub<StorageEvents>;
  log: Logger;
}

export interface StorageServices {
  s3: S3Store;
  cache: StorageCache;
  references: ReferenceChecker;
  pubsub: PubSub<StorageEvents>;
  log: Logger;
}

export function createContext({ s3, cache, references, pubsub, log }: StorageServices): StorageContext {
  return { s3, cache, pubsub, log, references: references.loader(), loaders: createLoaders(cache) };
}
