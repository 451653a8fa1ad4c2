import type { PubSub } from '@polystore/common';
import type { DataSource } from 'typeorm';
import type { SqlCache } from './cache.js';
import type { SqlEvents } from './events/outbox-relay.js';
import { createLoaders, type SqlLoaders } from './loaders.js';

export interface SqlContext {
  db: DataSource;
  cache: SqlCache;
  loaders: SqlLoaders;
  pubsub: PubSub<SqlEvents>;
}

export function createContext(db: DataSource, cache: SqlCache, pubsub: PubSub<SqlEvents>): SqlContext {
  return { db, cache, pubsub, loaders: createLoaders(db, cache) };
}
