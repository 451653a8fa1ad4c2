import type { PubSub, Viewer } from '@polystore/common';
import type { DataSource } from 'typeorm';
import type { SqlCache } from './cache.js';
import type { SqlEvents } from './events/outbox-relay.js';
import { createLoaders, type SqlLoaders } from './loaders.js';

export interface SqlContext {
  db: DataSource;
  cache: SqlCache;
  loaders: SqlLoaders;
  pubsub: PubSub<SqlEvents>;
  /** Who asks (forwarded claims): orders, summaries and emails are their owner's or an admin's. */
  viewer: Viewer;
}

export function createContext(
  db: DataSource,
  cache: SqlCache,
  pubsub: PubSub<SqlEvents>,
  viewer: Viewer = { enforced: false, userId: undefined, admin: false },
): SqlContext {
  return { db, cache, pubsub, viewer, loaders: createLoaders(db, cache) };
}
