import type { CacheSettings, PubSub } from '@polystore/common';
import type { DataSource } from 'typeorm';
import type { SqlEvents } from './events/outbox-relay.js';
import { createLoaders, type SqlLoaders } from './loaders.js';

export interface SqlContext {
  db: DataSource;
  cache: CacheSettings;
  loaders: SqlLoaders;
  pubsub: PubSub<SqlEvents>;
}

export function createContext(db: DataSource, cache: CacheSettings, pubsub: PubSub<SqlEvents>): SqlContext {
  return { db, cache, pubsub, loaders: createLoaders(db, cache) };
}
