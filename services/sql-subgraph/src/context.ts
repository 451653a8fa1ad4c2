import type { EventStream, Viewer } from '@polystore/common';
import type { DataSource } from 'typeorm';
import type { SqlCache } from './cache.js';
import { createLoaders, type SqlLoaders } from './loaders.js';

export interface SqlContext {
  db: DataSource;
  cache: SqlCache;
  loaders: SqlLoaders;
  /** The durable stream: live subscriptions follow it, and a resumed one replays from it (`liveEvents`). */
  events: EventStream;
  /** A subscription subscribed again: the stream position of the last event its subscriber had. */
  resumeAfter?: string;
  /** Who asks (forwarded claims): orders, summaries and emails are their owner's or an admin's. */
  viewer: Viewer;
}

export function createContext(
  db: DataSource,
  cache: SqlCache,
  { events }: { events: EventStream },
  viewer: Viewer = { enforced: false, userId: undefined, admin: false },
  resumeAfter?: string,
): SqlContext {
  return { db, cache, events, resumeAfter, viewer, loaders: createLoaders(db, cache) };
}

/** New loaders for the context's store: what a subscription resolves an event with (`resolvePerEvent`). */
export const freshLoaders = ({ db, cache }: SqlContext): SqlLoaders => createLoaders(db, cache);
