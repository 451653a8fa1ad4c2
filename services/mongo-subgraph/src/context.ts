import type { PubSub, ReferenceChecker, Viewer } from '@polystore/common';
import type { MongoCache } from './cache.js';
import type { MongoEvents } from './events/topics.js';
import { createLoaders, type MongoLoaders } from './loaders.js';
import type { ProductCopies } from './product-copy.js';
import type { MongoStore } from './store/collections.js';

/** What every resolver gets; built once per request (and once per subscription event). */
export interface MongoContext {
  store: MongoStore;
  cache: MongoCache;
  pubsub: PubSub<MongoEvents>;
  references: ReferenceChecker;
  productCopies: ProductCopies;
  /** Who asks (forwarded, signed claims): reviews are their author's or an admin's; catalog writes an admin's. */
  viewer: Viewer;
  loaders: MongoLoaders;
}

const TRUSTED_CALLER: Viewer = { enforced: false, userId: undefined, admin: false };

export function createContext(
  services: Omit<MongoContext, 'loaders' | 'viewer'>,
  viewer: Viewer = TRUSTED_CALLER,
): MongoContext {
  return { ...services, viewer, loaders: createLoaders(services.store, services.cache, services.references) };
}

/** New loaders for the context's store: what a subscription resolves an event with (`resolvePerEvent`). */
export const freshLoaders = ({ store, cache, references }: MongoContext): MongoLoaders =>
  createLoaders(store, cache, references);
