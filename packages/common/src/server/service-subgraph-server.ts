import type { IncomingMessage } from 'node:http';
import type { BaseContext } from '@apollo/server';
import { createNonceStore } from '../auth/nonces.js';
import { requestViewer, type Viewer } from '../auth/viewer.js';
import type { RedisLayer } from '../redis/connect.js';
import type { ServiceContext } from './run.js';
import { createSubgraphServer, type SubgraphServer, type SubgraphServerOptions } from './subgraph-server.js';

/** What a service still says itself; the rest follows from its context and its Redis. */
export interface ServiceSubgraphOptions<Context extends BaseContext> extends Omit<
  SubgraphServerOptions<Context>,
  'context' | 'log' | 'teardown' | 'signatureSecret' | 'signatureMaxAgeSeconds' | 'nonces'
> {
  /** Builds the per-request context for `viewer`, the caller the gateway signed for (or anyone, unsigned). */
  context(request: IncomingMessage, viewer: Viewer): Context | Promise<Context>;
}

/**
 * A subgraph's server as every service runs it: its logs and teardown, the
 * gateway's signature checked with SUBGRAPH_SIGNING_SECRET, the nonces of
 * signed mutations kept in the service's Redis, so every replica refuses a replay,
 * and on `/metrics` how many live subscriptions follow the event stream.
 */
export async function createServiceSubgraphServer<Context extends BaseContext>(
  { config, log, teardown }: ServiceContext,
  redis: RedisLayer,
  options: ServiceSubgraphOptions<Context>,
): Promise<SubgraphServer> {
  const signatureSecret = config.auth.subgraphSecret;
  const server = await createSubgraphServer({
    ...options,
    context: (request) => options.context(request, requestViewer(request, signatureSecret !== undefined)),
    log,
    teardown,
    signatureSecret,
    signatureMaxAgeSeconds: config.auth.signatureMaxAgeSeconds,
    nonces: createNonceStore({ redis: redis.client, keyPrefix: redis.keyPrefix, log }),
  });
  server.metrics.gauge('live_event_followers', 'Live subscriptions of this replica following the event stream', () =>
    redis.events.followers(),
  );
  return server;
}
