import type { DataSource } from 'typeorm';
import type { CacheSettings } from '@polystore/common';
import { createLoaders, type SqlLoaders } from './loaders.js';

export interface SqlContext {
  db: DataSource;
  cache: CacheSettings;
  loaders: SqlLoaders;
}

export function createContext(db: DataSource, cache: CacheSettings): SqlContext {
  return { db, cache, loaders: createLoaders(db, cache) };
}
