import type { StorageCache } from './cache.js';
import { createLoaders, type StorageLoaders } from './loaders.js';
import type { S3Store } from './s3.js';

export interface StorageContext {
  s3: S3Store;
  loaders: StorageLoaders;
}

export function createContext(s3: S3Store, cache: StorageCache): StorageContext {
  return { s3, loaders: createLoaders(cache) };
}
