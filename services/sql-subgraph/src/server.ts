import type { DataSource } from 'typeorm';
import {
  connectServiceCache,
  createMetrics,
  createServiceSubgraphServer,
  type ServiceContext,
  type SubgraphServer,
  resumePositionOf,
} from '@polystore/common';
import { createSqlCache } from './cache.js';
import { createContext } from './context.js';
import { createDataSource } from './db/data-source.js';
import { migrate } from './db/migrate.js';
import { startOutboxRelay } from './events/outbox-relay.js';
import { buildSchema } from './schema.js';

export interface SqlSubgraph extends SubgraphServer {
  db: DataSource;
  /** Publishes every pending outbox row now. */
  flushOutbox(): Promise<void>;
  /** Live subscriptions of this replica that hear every event from now on. */
  liveFollowers(): number;
}

/**
 * Builds the relational subgraph: connects as the services' role, migrates (as the schema's
 * owner when DATABASE_OWNER_URL is set), starts the outbox relay, and returns a server not yet listening.
 */
export async function createSqlSubgraph(
  service: ServiceContext,
  options: { onQuery?: (sql: string, parameters?: unknown[]) => void } = {},
): Promise<SqlSubgraph> {
  const { config, log, teardown } = service;
  const db = createDataSource(config.postgres, options);
  await db.initialize();
  teardown.add('postgres pool', () => db.destroy());
  const applied = await migrate(db, config.postgres);
  if (applied.length > 0) log.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');

  // One registry for /metrics: the server's request metrics and the entity cache's lookups.
  const metrics = createMetrics('sql-subgraph');
  const { redis, cache: settings } = await connectServiceCache(service, 'sql', metrics);
  const cache = createSqlCache(db, settings);
  // An in-process stream reaches no other service: rows wait in the outbox until Redis is configured.
  const relay = redis.shared
    ? startOutboxRelay({
        db,
        events: redis.events,
        cache,
        log,
        teardown,
        intervalMs: config.outbox.pollIntervalMs,
        listenUrl: config.postgres.url,
      })
    : undefined;
  if (!relay) {
    log.warn('no Redis: domain events wait in the outbox, and subscriptions and other services do not see them');
  }

  const server = await createServiceSubgraphServer(service, redis, {
    name: 'sql-subgraph',
    metrics,
    schema: buildSchema(),
    context: (request, viewer) => createContext(db, cache, redis, viewer, resumePositionOf(request)),
    readiness: [
      { name: 'postgres', check: () => db.query('SELECT 1') },
      ...redis.readiness,
      {
        name: 'events',
        optional: true,
        async check() {
          const problem = relay ? relay.problem() : 'no Redis: domain events wait in the outbox';
          if (problem) throw new Error(problem);
        },
      },
    ],
  });
  const flushOutbox = async () => {
    if (!relay) throw new Error('the outbox relay needs Redis (REDIS_URL)');
    await relay.flush();
  };
  return { ...server, db, flushOutbox, liveFollowers: () => redis.events.followers() };
}
