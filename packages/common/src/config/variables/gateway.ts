import { flag, inSection, integer, oneOf, optionalText, origins, text, url } from '../variable.js';
import { limits } from './limits.js';

const GATEWAY = { title: 'Gateway' };

const rateLimit = {
  requests: integer({
    name: 'GATEWAY_RATE_LIMIT',
    default: 600,
    min: 0,
    max: 1_000_000,
    doc: 'Requests per window per user (token `sub`; per client IP when anonymous), counted in Redis so every gateway shares one budget; 429 with Retry-After above it; 0: off.',
  }),
  windowSeconds: integer({
    name: 'GATEWAY_RATE_LIMIT_WINDOW_SECONDS',
    default: 60,
    min: 1,
    max: 86_400,
    doc: 'Length of the rate-limit window in seconds.',
  }),
  redisTimeoutMs: integer({
    name: 'GATEWAY_RATE_LIMIT_REDIS_TIMEOUT_MS',
    default: 100,
    min: 1,
    max: 10_000,
    doc: 'Milliseconds the shared count in Redis is waited for; later (Redis slow or down) each gateway applies the limit on its own count.',
  }),
  refusalDelayMs: integer({
    name: 'GATEWAY_RATE_LIMIT_REFUSAL_DELAY_MS',
    default: 1_000,
    min: 0,
    max: 10_000,
    doc: 'Milliseconds an HTTP request over its budget waits for its 429 (at most until the budget resets; 0 answers at once), so a client looping on refusals sends about one a second.',
  }),
  trustedProxies: optionalText({
    name: 'GATEWAY_TRUSTED_PROXIES',
    example: '10.0.0.0/8,127.0.0.1',
    unset: "no proxy is trusted: an anonymous client is the connection's own address, X-Forwarded-For is ignored",
    doc: "Addresses and CIDR ranges of the load balancers in front of the gateways (or `loopback`, `linklocal`, `uniquelocal`). A request from one of them is an anonymous client's by the address in X-Forwarded-For, read from the right past the trusted ones; without it every client behind a balancer shares one rate-limit budget.",
  }),
};

export const gateway = inSection(GATEWAY, {
  supergraphPath: text({
    name: 'SUPERGRAPH_PATH',
    default: 'gateway/supergraph.graphql',
    doc: 'Supergraph SDL written by `npm run compose`, relative to the working directory.',
  }),
  supergraphUrl: url({
    name: 'SUPERGRAPH_URL',
    example: 'https://registry.example.com/supergraph.graphql',
    unset: 'the file',
    doc: 'Poll the supergraph from a URL (a schema registry or CDN) instead of SUPERGRAPH_PATH.',
  }),
  supergraphPollMs: integer({
    name: 'SUPERGRAPH_POLL_MS',
    default: 2_000,
    min: 0,
    max: 3_600_000,
    doc: 'Milliseconds between checks for a new supergraph (swapped in without a restart); 0 turns reloading off.',
  }),
  supergraphDrainMs: integer({
    name: 'SUPERGRAPH_DRAIN_MS',
    default: 3_600_000,
    min: 1,
    max: 86_400_000,
    doc: 'Milliseconds operations, open subscriptions included, may keep running on a replaced supergraph.',
  }),
  queryPlanner: oneOf({
    name: 'QUERY_PLANNER',
    values: ['rust', 'js'],
    default: 'rust',
    doc: 'Query planner: rust is @graphql-hive/router-runtime, js the JavaScript one.',
  }),
  deduplicateQueries: flag({
    name: 'GATEWAY_DEDUPLICATE_QUERIES',
    default: true,
    doc: 'A query identical to one in flight (same body, Authorization and Accept) waits for its answer instead of running again; subgraph requests are de-duplicated either way.',
  }),
  introspection: flag({
    name: 'GATEWAY_INTROSPECTION',
    default: true,
    doc: 'Answer introspection queries and serve the IDE; production may turn both off.',
  }),
  responseCache: {
    enabled: flag({
      name: 'GATEWAY_RESPONSE_CACHE',
      default: false,
      doc: 'Cache whole responses in Redis (per identity), dropped when a mutation or a domain event changes an entity in them.',
    }),
    ttlSeconds: integer({
      name: 'GATEWAY_RESPONSE_CACHE_TTL_SECONDS',
      default: 60,
      min: 1,
      max: 86_400,
      doc: 'Seconds a cached response lives unless a type in it has a shorter lifetime.',
    }),
  },
  persistedQueries: {
    mode: oneOf({
      name: 'GATEWAY_PERSISTED_QUERIES',
      values: ['apq', 'allow-list'],
      default: 'apq',
      doc: 'Persisted queries in Redis: apq (clients register operations by hash) or allow-list (only registered ones run).',
    }),
    ttlSeconds: integer({
      name: 'GATEWAY_PERSISTED_QUERIES_TTL_SECONDS',
      default: 0,
      min: 0,
      doc: 'Seconds a registered operation is kept (0: forever).',
    }),
  },
  upstreamTimeoutMs: integer({
    name: 'GATEWAY_UPSTREAM_TIMEOUT_MS',
    default: 30_000,
    min: 100,
    max: 600_000,
    doc: 'Milliseconds the gateway waits for a subgraph before answering with an error for its part.',
  }),
  heapGrowingPercent: integer({
    name: 'GATEWAY_HEAP_GROWING_PERCENT',
    default: 50,
    min: 0,
    max: 400,
    doc: "How far past its live data the gateway's heap may grow before a full collection, in percent (V8's --heap-growing-percent); 0: V8's own sizing, which lets a busy gateway hold several times its live data.",
  }),
  limits,
  rateLimit,
  maxSubscriptionsPerConnection: integer({
    name: 'GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION',
    default: 20,
    min: 1,
    max: 1000,
    doc: 'Operations (subscriptions) one graphql-ws connection may run at once.',
  }),
  corsOrigins: origins({
    name: 'GATEWAY_CORS_ORIGINS',
    example: 'https://app.example.com,http://localhost:5173',
    unset: 'CORS closed (the IDE is served by the gateway itself and needs none)',
    doc: 'Browser origins allowed to call the gateway cross-origin, comma-separated.',
  }),
});
