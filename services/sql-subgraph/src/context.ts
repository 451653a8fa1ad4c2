import type { DataSource } from 'typeorm';
import { createLoaders, type CacheSettings, type SqlLoaders } from './loaders.js';

export interface SqlContext {
  db: DataSource;
  cache: CacheSettings;
  loaders: SqlLoaders;
}

export function createContext(db: DataSource, cache: CacheSettings): SqlContext {
  return { db, cache, loaders: createLoaders(db, cache) };
}
