import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createGatewayRuntime, getGraphQLWSOptions, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
import {
  connectRedisLayer,
  redisConnection,
  createMetrics,
  withRequestContext,
  handleHealthRequest,
  listenHttp,
  setSecurityHeaders,
  type ReadinessCheck,
  type ServiceContext,
  type ServiceMetrics,
} from '@polystore/common';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { runtimeLogger } from './runtime-logger.js';
import { handleIdeAssetRequest, localGraphiQL } from './ide.js';
import { jsPlannedWithIncrementalDelivery, plannedWithIncrementalDelivery } from './incremental-delivery.js';
import { IDE_FIRST_SCREEN } from './ide-first-screen.js';
import { sizeHeap } from './heap-sizing.js';
import { earlyAnswers } from './early-answers.js';
import { gatewayPlugins } from './plugins/index.js';
import { inflightQueries } from './plugins/inflight-queries.js';
import { writesBegun } from './plugins/writes-begun.js';
import { hitsBeforeRuntime, openResponseCache, startInvalidationConsumer } from './plugins/response-cache/index.js';
import { rateLimitBudget } from './plugins/rate-limit-budget.js';
import { verifiedTokens } from './plugins/verified-tokens.js';
import { shareAnonymousSubscriptions } from './plugins/subscriptions/anonymous-subscriptions.js';
import { directDelivery } from './plugins/subscriptions/direct-delivery.js';
import { useSubscriptionsAcrossReloads } from './plugins/subscriptions/subscriptions-across-reloads.js';
import { subscriptionsAcrossReloads } from './plugins/subscriptions/ws-subscriptions-across-reloads.js';
import { subgraphUrls } from './subgraphs.js';
import { supergraphSource } from './supergraph-source.js';

export const GRAPHQL_PATH = '/graphql';

export interface GatewayOptions extends ServiceContext {
  /** Supergraph SDL to serve instead of the file at SUPERGRAPH_PATH (tests compose their own). */
  supergraph?: string;
  /**
   * Send one subgraph request for identical in-flight ones and share its answer
   * (the HTTP transport's `deduplicateInflightRequests`). Default true; the
   * benchmarks turn it off to measure the engine alone.
   */
  deduplicateSubgraphRequests?: boolean;
}

export interface Gateway {
  runtime: GatewayRuntime;
  httpServer: Server;
  /** The registry behind `/metrics`, served on a listener of its own (`serveMetrics`), never on the client port. */
  metrics: ServiceMetrics;
  listen(port: number, host?: string): Promise<string>;
}

/**
 * The gateway's `/ready`: the schema is loaded and every subgraph reports
 * ready; a subgraph that is itself degraded (its Redis or events away) makes
 * the gateway degraded, naming what it lacks.
 */
function subgraphReadiness(urls: Record<string, string>): ReadinessCheck[] {
  return Object.entries(urls).map(([name, url]) => ({
    name: `${name}-subgraph`,
    async check() {
      const response = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(1_500) });
      // Read the body now: an unread body is aborted by the timeout later, as an unhandled error.
      const body = await response.text();
      if (!response.ok) throw new Error(`answered ${response.status}`);
      const answer = JSON.parse(body || '{}') as { status?: string; checks?: Record<string, string> };
      if (answer.status !== 'degraded') return undefined;
      const away = Object.entries(answer.checks ?? {}).filter(([, state]) => state !== 'ok');
      return { degraded: away.map(([check, state]) => `${check}: ${state}`).join('; ') };
    },
  }));
}

function locationsFromSupergraph(sdl: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const match of sdl.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)) urls[match[1]!] = match[2]!;
  return urls;
}

/**
 * Builds the federated gateway on Hive Gateway's runtime with the Rust query
 * planner by default. Subgraph subscriptions go over graphql-ws; clients can
 * subscribe over graphql-ws or SSE on the same path.
 */
export async function createGateway({
  config,
  log,
  teardown,
  supergraph,
  deduplicateSubgraphRequests = true,
}: GatewayOptions): Promise<Gateway> {
  sizeHeap(config.gateway.heapGrowingPercent);
  // A supergraph given in code (tests) is fixed; the file or URL is polled and swapped when it changes.
  const source = supergraph === undefined ? supergraphSource(config.gateway, log) : undefined;
  const sdl = supergraph ?? (await source!());
  const overrides = subgraphUrls(config);
  const locations = { ...locationsFromSupergraph(sdl), ...overrides };
  const redis = await connectRedisLayer({ ...redisConnection(config), log, teardown });

  const metrics = createMetrics('gateway');
  // The rate limit's one budget, spent by its plugin, the JWT plugin and shared anonymous subscriptions.
  const spend = rateLimitBudget({ config, redis, metrics, log });
  // The response store, read and written by three plugins and invalidated by the gateway's consumer group.
  const responseCache = openResponseCache({ config, log, redis });
  if (responseCache)
    startInvalidationConsumer(responseCache.store, {
      events: redis.events,
      log,
      teardown,
      retryAfterMs: config.events.retryAfterMs,
    });
  // Tokens the JWT plugin verified, for the hits answered before the runtime.
  const tokens = verifiedTokens(config.auth.clockSkewSeconds);
  // Mutations begun here, which no de-duplicated answer may miss; identical queries in flight
  // at once answered once (GATEWAY_DEDUPLICATE_QUERIES).
  const writes = writesBegun({ stampSubgraphRequests: deduplicateSubgraphRequests });
  const inflight = config.gateway.deduplicateQueries ? inflightQueries({ spend, metrics, writes }) : undefined;
  const plugins = gatewayPlugins(
    { config, log, teardown, redis, metrics },
    { spend, responseCache, tokens, writes, inflight },
  );
  const answerEarly = earlyAnswers({
    config,
    tokens,
    graphqlPath: GRAPHQL_PATH,
    answerHit:
      responseCache &&
      hitsBeforeRuntime({
        config,
        ...responseCache,
        spend,
        metrics,
        supergraphPollMs: source ? config.gateway.supergraphPollMs : 0,
      }),
    inflight,
  });

  // The IDE, with a nonce of its own per page for its strict CSP.
  const ide = localGraphiQL({ title: 'Polystore', ...IDE_FIRST_SCREEN });
  // The runtime, for the plugin that subscribes again on it after a swap (made before it).
  const served: { runtime?: GatewayRuntime } = {};
  const runtime = createGatewayRuntime({
    supergraph: source ?? sdl,
    ...(source && config.gateway.supergraphPollMs > 0
      ? {
          pollingInterval: config.gateway.supergraphPollMs,
          // Operations and subscriptions already running finish on the supergraph they started on.
          gracefulSchemaReload: { drainTimeout: config.gateway.supergraphDrainMs },
        }
      : {}),
    // @defer and @stream, over multipart HTTP, SSE and graphql-ws (`incremental-delivery.ts` plans them).
    unifiedGraphHandler:
      config.gateway.queryPlanner === 'rust' ? plannedWithIncrementalDelivery : jsPlannedWithIncrementalDelivery,
    deferStream: true,
    // One entry per subgraph of the supergraph served (ours, or a test's or benchmark's fixture).
    transportEntries: Object.fromEntries(
      Object.keys(locations).map((name) => [
        name,
        {
          ...(overrides[name as keyof typeof overrides] ? { location: overrides[name as keyof typeof overrides] } : {}),
          options: {
            subscriptions: { kind: 'ws', location: GRAPHQL_PATH },
            deduplicateInflightRequests: deduplicateSubgraphRequests,
          },
        },
      ]),
    ),
    graphqlEndpoint: GRAPHQL_PATH,
    // Closed unless origins are configured (GATEWAY_CORS_ORIGINS); the IDE is same-origin.
    cors:
      config.gateway.corsOrigins.length > 0 ? { origin: config.gateway.corsOrigins, methods: ['GET', 'POST'] } : false,
    // Plus SSE subscriptions followed across supergraph swaps (graphql-ws ones are followed below).
    plugins: () => [...plugins, useSubscriptionsAcrossReloads(() => served.runtime!), ide.plugin],
    // Introspection off (GATEWAY_INTROSPECTION=false) also turns the IDE off: it cannot work without it.
    ...(config.gateway.introspection ? {} : { disableIntrospection: {} }),
    graphiql: config.gateway.introspection ? ide.graphiql : false,
    renderGraphiQL: ide.renderGraphiQL,
    landingPage: false,
    // Through our logger: one format, and nothing secret in any line.
    logging: runtimeLogger(log, config.logLevel),
  });
  served.runtime = runtime;
  teardown.add('gateway runtime', () => runtime.dispose());
  // Loading the schema before listening lets the first WebSocket operation find it.
  await runtime.getSchema();

  const readiness = [...subgraphReadiness(locations), ...redis.readiness];
  let draining = false;
  const httpServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.setHeader('connection', 'close');
    setSecurityHeaders(res);
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') {
      // The IDE lives on the GraphQL path; the root is where people type first.
      res.writeHead(302, { location: GRAPHQL_PATH }).end();
      return;
    }
    metrics.observe(req, res);
    // The request id (the client's or a new one) is on every log line; the runtime's own request-id
    // plugin reads it from the request and adds it to each subgraph fetch (after de-duplication, so
    // identical subgraph requests are still shared).
    withRequestContext(req, res, async () => {
      try {
        const handled = (await handleHealthRequest(req, res, readiness)) || (await handleIdeAssetRequest(req, res));
        if (!handled) await answerEarly(req, res, async () => void (await runtime(req, res)));
      } catch (err) {
        log.error({ err }, 'gateway request failed');
        if (!res.headersSent) res.writeHead(500).end();
      }
    });
  });

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  const wsOptions = getGraphQLWSOptions<Record<string, unknown>, Extra>(runtime, (ctx) => ({
    req: ctx.extra.request,
    socket: ctx.extra.socket,
    connectionParams: ctx.connectionParams,
  }));
  // Every subscription outlives a supergraph swap (subscribed again on the new one, where the
  // runtime would end it); identical anonymous subscriptions run once, and are followed once.
  const reloads = subscriptionsAcrossReloads(runtime, { subscribe: wsOptions.subscribe });
  // Their events are written to each client's socket as they come, serialised once for all (`direct-delivery.ts`).
  const delivery = directDelivery();
  const subscribe = shareAnonymousSubscriptions(
    (args) => reloads.subscribe(args),
    metrics,
    spend,
    (args) => delivery.sinkFor(args),
  );
  // One connection holds at most GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION operations at once.
  const active = new WeakMap<object, Set<string>>();
  const maxPerConnection = config.gateway.maxSubscriptionsPerConnection;
  const wsHandle = useServer(
    {
      ...wsOptions,
      async onSubscribe(ctx, id, payload) {
        const ids = active.get(ctx) ?? new Set<string>();
        active.set(ctx, ids);
        if (ids.size >= maxPerConnection) {
          return [
            new GraphQLError(`at most ${maxPerConnection} operations at once on one connection`, {
              extensions: { code: 'BAD_REQUEST' },
            }),
          ];
        }
        ids.add(id);
        const build = async () => (await wsOptions.onSubscribe!(ctx, id, payload)) as ExecutionArgs;
        return delivery.remember(reloads.remember(await build(), build), id);
      },
      subscribe: async (args) => (await subscribe(args)) as ExecutionResult | AsyncIterable<ExecutionResult>,
      onComplete(ctx, id) {
        active.get(ctx)?.delete(id);
      },
      onError(ctx, id) {
        active.get(ctx)?.delete(id);
      },
    },
    wsServer,
  );

  return {
    runtime,
    httpServer,
    metrics,
    async listen(port, host = '127.0.0.1') {
      const url = await listenHttp(httpServer, port, host, GRAPHQL_PATH);
      teardown.add(
        'gateway http',
        () =>
          new Promise<void>((resolve) => {
            // No new connections; every answer from now on closes its keep-alive connection,
            // so busy clients move on (to another replica) instead of holding this one open.
            draining = true;
            httpServer.close(() => resolve());
            httpServer.closeIdleConnections();
          }),
      );
      teardown.add('gateway websockets', async () => {
        await wsHandle.dispose();
        wsServer.close();
      });
      log.info({ url, planner: config.gateway.queryPlanner }, 'gateway listening');
      return url;
    },
  };
}
