import type { EventStream, Logger, ReferenceChecker, Viewer } from '@polystore/common';
import type { MongoCache } from './cache.js';
import { createLoaders, type MongoLoaders } from './loaders.js';
import type { ProductCopies } from './product-copy.js';
import type { MongoStore } from './store/collections.js';

/** What every resolver gets; built once per request (and once per subscription event). */
export interface MongoContext {
  store: MongoStore;
  cache: MongoCache;
  /** The durable stream: a new review is appended to it, and live subscriptions follow it (`liveEvents`). */
  events: EventStream;
  log: Logger;
  /** A subscription subscribed again: the stream position of the last event its subscriber had. */
  resumeAfter?: string;
  references: ReferenceChecker;
  productCopies: ProductCopies;
  /** Who asks (forwarded, signed claims): reviews are their author's or an admin's; catalog writes an admin's. */
  viewer: Viewer;
  loaders: MongoLoaders;
}

const TRUSTED_CALLER: Viewer = { enforced: false, userId: undefined, admin: false };

export function createContext(
  services: Omit<MongoContext, 'loaders' | 'viewer' | 'resumeAfter'>,
  viewer: Viewer = TRUSTED_CALLER,
  resumeAfter?: string,
): MongoContext {
  return {
    ...services,
    viewer,
    resumeAfter,
    loaders: createLoaders(services.store, services.cache, services.references),
  };
}

/** New loaders for the context's store: what a subscription resolves an event with (`resolvePerEvent`). */
export const freshLoaders = ({ store, cache, references }: MongoContext): MongoLoaders =>
  createLoaders(store, cache, references);
