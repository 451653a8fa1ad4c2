import type { MongoStore } from './db.js';
import type { CacheSettings } from '@polystore/common';
import { createLoaders, type MongoLoaders } from './loaders.js';

export interface MongoContext {
  store: MongoStore;
  cache: CacheSettings;
  loaders: MongoLoaders;
}

export function createContext(store: MongoStore, cache: CacheSettings): MongoContext {
  return { store, cache, loaders: createLoaders(store, cache) };
}
