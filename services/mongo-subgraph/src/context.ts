import type { PubSub, ReferenceChecker } from '@polystore/common';
import type { MongoStore } from './db.js';
import type { MongoCache } from './cache.js';
import type { MongoEvents } from './events/topics.js';
import { createLoaders, type MongoLoaders } from './loaders.js';
import type { ProductCopier } from './product-copy.js';

/** What every resolver gets; built once per request (and once per subscription event). */
export interface MongoContext {
  store: MongoStore;
  cache: MongoCache;
  pubsub: PubSub<MongoEvents>;
  references: ReferenceChecker;
  copyProducts: ProductCopier;
  loaders: MongoLoaders;
}

export function createContext(services: Omit<MongoContext, 'loaders'>): MongoContext {
  return { ...services, loaders: createLoaders(services.store, services.cache, services.references) };
}
