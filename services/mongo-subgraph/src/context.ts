import type { MongoStore } from './db.js';
import type { MongoCache } from './cache.js';
import { createLoaders, type MongoLoaders } from './loaders.js';

export interface MongoContext {
  store: MongoStore;
  loaders: MongoLoaders;
}

export function createContext(store: MongoStore, cache: MongoCache): MongoContext {
  return { store, loaders: createLoaders(cache) };
}
