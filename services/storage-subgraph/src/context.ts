import type { EventStream, Logger, ReferenceChecker, ReferenceLoader, Viewer } from '@polystore/common';
import type { StorageCache } from './cache.js';
import { createLoaders, type StorageLoaders } from './loaders.js';
import type { OrderOwnerLoader, OrderOwners } from './ownership.js';
import type { S3Store } from './store/s3.js';

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
  /** The durable stream: a completed upload is appended to it, and live subscriptions follow it (`liveEvents`). */
  events: EventStream;
  /** A subscription subscribed again: the stream position of the last event its subscriber had. */
  resumeAfter?: string;
  log: Logger;
}

export interface StorageServices {
  s3: S3Store;
  cache: StorageCache;
  references: ReferenceChecker;
  orderOwners: OrderOwners;
  events: EventStream;
  log: Logger;
}

/** A service run alone without a signing secret trusts its caller and checks no ownership. */
const UNCHECKED: Viewer = { enforced: false, userId: undefined, admin: false };

export function createContext(
  { s3, cache, references, orderOwners, events, log }: StorageServices,
  viewer: Viewer = UNCHECKED,
  resumeAfter?: string,
): StorageContext {
  return {
    s3,
    cache,
    events,
    resumeAfter,
    log,
    viewer,
    references: references.loader(),
    orderOwners: orderOwners.loader(),
    loaders: createLoaders(cache),
  };
}

/** New loaders for the context's cache: what a subscription resolves an event with (`resolveLiveEvent`). */
export const freshLoaders = ({ cache }: StorageContext): StorageLoaders => createLoaders(cache);
