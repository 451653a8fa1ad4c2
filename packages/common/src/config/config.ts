import { SUBGRAPHS, type SubgraphName } from '../subgraphs.js';
import { ConfigError, type Env, readBool, readEnum, readInt, readOptionalString, readString, readUrl } from './env.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything the stack reads from the environment, validated once at start-up. */
export interface Config {
  logLevel: LogLevel;
  /** `pretty`: short human lines; `json`: one JSON object a line; `auto` (default): pretty when stdout is a terminal. */
  logFormat: 'auto' | 'pretty' | 'json';
  /** Interface the HTTP servers bind to. Default 127.0.0.1; containers use 0.0.0.0. */
  host: string;
  /** Milliseconds a SIGTERM waits for in-flight work before closing anyway. Default 10000. */
  shutdownTimeoutMs: number;
  /** Listening ports: the gateway's and each subgraph's (from the registry in `subgraphs.ts`). */
  ports: { gateway: number } & Record<SubgraphName, number>;
  /**
   * `/metrics` on a listener of its own per service, for operators: clients
   * on the GraphQL port cannot reach it (404 there).
   */
  metrics: {
    /** METRICS_ENABLED=false serves no metrics at all. Default true. */
    enabled: boolean;
    /** METRICS_HOST: the interface it binds to. Default 127.0.0.1 (this machine only); containers use 0.0.0.0. */
    host: string;
    /** GATEWAY_METRICS_PORT (default 9090, as Apollo Router's) and each subgraph's (9091-9093); 0 picks a free port. */
    ports: { gateway: number } & Record<SubgraphName, number>;
  };
  postgres: {
    /** The services' role. Unset means "start the embedded PostgreSQL server" under `npm start`. */
    url: string | undefined;
    /** The schema owner's connection, for migrations only. Default: `url` (its role then owns the schema). */
    ownerUrl: string | undefined;
    /** Role granted read access to every table and view, for reporting. Default: none. */
    readerRole: string | undefined;
    poolMax: number;
    statementTimeoutMs: number;
    connectTimeoutMs: number;
  };
  events: {
    /** Milliseconds an event whose handler failed waits before it is delivered again. Default 30000. */
    retryAfterMs: number;
  };
  outbox: {
    /** Milliseconds between polls of the outbox when it is empty. Default 250. */
    pollIntervalMs: number;
  };
  mongo: { url: string | undefined; database: string; serverSelectionTimeoutMs: number };
  s3: {
    endpoint: string | undefined;
    /** Endpoint written into presigned URLs; differs from `endpoint` behind Docker networks. */
    publicEndpoint: string | undefined;
    region: string;
    bucket: string;
    accessKeyId: string;
    secretAccessKey: string;
    forcePathStyle: boolean;
    urlTtlSeconds: number;
  };
  uploads: {
    /** Seconds a presigned upload (PUT or multipart part) stays valid; the upload is removed when it ends uncompleted. Default 900. */
    urlTtlSeconds: number;
    /** Largest product image or avatar in bytes. Default 10 MiB. */
    maxImageBytes: number;
    /** Largest order attachment in bytes. Default 100 MiB. */
    maxAttachmentBytes: number;
    /** From this size on an upload is a multipart plan (8 MiB parts) instead of one PUT. Default 16 MiB. */
    multipartThresholdBytes: number;
    /** Seconds between each replica's sweeps for uploads never completed. Default 60. */
    sweepIntervalSeconds: number;
    /** Seconds after an upload's expiry before the sweep removes it, so a completion begun in time can finish. Default 60. */
    sweepGraceSeconds: number;
  };
  redis: {
    /**
     * Unset: `npm start` runs a private `redis-server`; a service started alone
     * uses an in-process cache and pub/sub, and its domain events wait in the outbox.
     */
    url: string | undefined;
    keyPrefix: string;
    cacheTtlSeconds: number;
  };
  gateway: {
    supergraphPath: string;
    /** Where to poll the supergraph instead of SUPERGRAPH_PATH (a schema registry or CDN). Unset: the file. */
    supergraphUrl: string | undefined;
    /** Milliseconds between checks of the supergraph for a new version; 0 turns reloading off. Default 2000. */
    supergraphPollMs: number;
    /** How long operations (open subscriptions too) may run on a replaced supergraph. Default 3600000. */
    supergraphDrainMs: number;
    queryPlanner: 'rust' | 'js';
    /** Answer introspection queries (the IDE and client tooling need them). Default true; production may turn it off. */
    introspection: boolean;
    responseCache: {
      /** Cache whole responses in Redis, per identity, invalidated by mutations and domain events. Default false. */
      enabled: boolean;
      /** Seconds a response lives when no type in it has a shorter lifetime. Default 60. */
      ttlSeconds: number;
    };
    persistedQueries: {
      /** `apq`: clients may register any operation by its hash (automatic persisted queries, the default); `allow-list`: only operations already registered run. */
      mode: 'apq' | 'allow-list';
      /** Seconds a registered operation is kept in Redis (0: forever). Default 0. */
      ttlSeconds: number;
    };
    /** Milliseconds the gateway waits for a subgraph before answering with an error for its part. Default 30000. */
    upstreamTimeoutMs: number;
    /** Refusals before execution (docs/security.md); each is answered with a 4xx or a coded error. */
    limits: {
      /** Deepest field nesting. Default 12. */
      maxDepth: number;
      /** Aliases per operation. Default 20. */
      maxAliases: number;
      /** Directives per operation. Default 20. */
      maxDirectives: number;
      /** Lexical tokens per document. Default 3000. */
      maxTokens: number;
      /**
       * Estimated cost (the runtime's demand control: each object 1 plus its `@cost`
       * weight, times the list sizes above it: `first` where `@listSize` names it,
       * else defaultListSize). 0: no cost limit. Default 10000.
       */
      maxCost: number;
      /** Assumed length of a list without `@listSize` (order items, images, tags). Default 10. */
      defaultListSize: number;
      /** Largest request body in bytes. Default 100 KiB. */
      maxBodyBytes: number;
      /** Fields per operation, each fragment counted where it is spread (introspection aside). Default 200. */
      maxFields: number;
      /** Selections merged into one field of the answer (same response key and path). Default 10. */
      maxFieldRepeats: number;
      /** Fragment definitions per document. Default 50. */
      maxFragments: number;
      /** Variable definitions per operation. Default 50. */
      maxVariables: number;
    };
    /**
     * Requests per window per user (token `sub`) or, anonymous, per client IP, counted in
     * Redis so every gateway replica shares one budget; 429 with Retry-After above it. 0: off.
     */
    rateLimit: {
      requests: number;
      windowSeconds: number;
      /** Milliseconds the shared count in Redis is waited for; later, this replica's own count decides. Default 100. */
      redisTimeoutMs: number;
    };
    /** Operations one graphql-ws connection may run at once. Default 20. */
    maxSubscriptionsPerConnection: number;
    /** Browser origins allowed to call the gateway cross-origin (CORS). Default none: closed. */
    corsOrigins: string[];
  };
  auth: {
    /** HS256 shared secret that verifies client tokens at the gateway (at least 32 characters). Unset with no JWKS URL: tokens are not read. */
    jwtSecret: string | undefined;
    /** JWKS URL of the identity provider (RS256/ES256 tokens); used instead of `jwtSecret` when set. */
    jwksUrl: string | undefined;
    /** Required `iss` claim. Default `polystore`. */
    issuer: string;
    /** Required `aud` claim. Default `polystore`. */
    audience: string;
    /** Seconds of clock difference tolerated on `exp`/`nbf`. Default 30, at most 300. */
    clockSkewSeconds: number;
    /** Longest token lifetime accepted (`exp − iat`, or `exp −` now without `iat`); `exp` is required. Default 86400. */
    maxLifetimeSeconds: number;
    /**
     * Secret the gateway signs subgraph requests with (HMAC-SHA256, claims included); every
     * subgraph refuses unsigned requests when it is set. At least 32 characters.
     */
    subgraphSecret: string | undefined;
    /**
     * Seconds a subgraph accepts a gateway signature after it was made (either way of
     * its clock, so it also bounds clock difference); older ones are refused, so a
     * captured request cannot be replayed later. Default 60.
     */
    signatureMaxAgeSeconds: number;
  };
  /**
   * Where each subgraph is reached by the gateway and by the other subgraphs;
   * unset: the URL recorded in the supergraph, which is its default local URL.
   */
  subgraphUrls: Record<SubgraphName, string | undefined>;
  tracing: {
    /**
     * OTLP/HTTP collector base URL (`http://collector:4318`); spans go to `<url>/v1/traces` as JSON.
     * Unset (the default): no tracing, and the OpenTelemetry SDK is not even loaded.
     */
    otlpEndpoint: string | undefined;
    /** Percentage of new traces recorded; a caller's sampling decision is always followed. Default 100. */
    samplePercent: number;
  };
  /** Folder for the embedded stores' data under `npm start`. Default `.data`. */
  dataDir: string;
  /** Load demo data into empty stores on `npm start`. Default true. */
  seedOnStart: boolean;
}

const MiB = 1024 * 1024;

export function loadConfig(env: Env = process.env): Config {
  const s3Endpoint = readUrl(env, 'S3_ENDPOINT');
  return {
    logLevel: readEnum(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: readEnum(env, 'LOG_FORMAT', ['auto', 'pretty', 'json'] as const, 'auto'),
    host: readString(env, 'HOST', '127.0.0.1'),
    shutdownTimeoutMs: readInt(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, { min: 0 }),
    ports: {
      gateway: readInt(env, 'GATEWAY_PORT', 4000, { min: 0, max: 65535 }),
      ...perSubgraph(({ portVariable, defaultPort }) =>
        readInt(env, portVariable, defaultPort, { min: 0, max: 65535 }),
      ),
    },
    metrics: {
      enabled: readBool(env, 'METRICS_ENABLED', true),
      host: readString(env, 'METRICS_HOST', '127.0.0.1'),
      ports: {
        gateway: readInt(env, 'GATEWAY_METRICS_PORT', 9090, { min: 0, max: 65535 }),
        ...perSubgraph(({ metricsPortVariable, defaultMetricsPort }) =>
          readInt(env, metricsPortVariable, defaultMetricsPort, { min: 0, max: 65535 }),
        ),
      },
    },
    postgres: {
      url: readUrl(env, 'DATABASE_URL'),
      ownerUrl: readUrl(env, 'DATABASE_OWNER_URL'),
      readerRole: readOptionalString(env, 'DATABASE_READER_ROLE'),
      poolMax: readInt(env, 'DATABASE_POOL_MAX', 10, { min: 1, max: 1000 }),
      statementTimeoutMs: readInt(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5_000, { min: 0 }),
      connectTimeoutMs: readInt(env, 'DATABASE_CONNECT_TIMEOUT_MS', 5_000, { min: 1 }),
    },
    events: {
      retryAfterMs: readInt(env, 'EVENT_RETRY_AFTER_MS', 30_000, { min: 100, max: 3_600_000 }),
    },
    outbox: {
      pollIntervalMs: readInt(env, 'OUTBOX_POLL_INTERVAL_MS', 250, { min: 10, max: 60_000 }),
    },
    mongo: {
      url: readUrl(env, 'MONGO_URL'),
      database: readString(env, 'MONGO_DATABASE', 'polystore'),
      serverSelectionTimeoutMs: readInt(env, 'MONGO_SERVER_SELECTION_TIMEOUT_MS', 5_000, { min: 1 }),
    },
    s3: {
      endpoint: s3Endpoint,
      publicEndpoint: readUrl(env, 'S3_PUBLIC_ENDPOINT') ?? s3Endpoint,
      region: readString(env, 'S3_REGION', 'us-east-1'),
      bucket: readString(env, 'S3_BUCKET', 'polystore'),
      accessKeyId: readString(env, 'S3_ACCESS_KEY_ID', 'S3RVER'),
      secretAccessKey: readString(env, 'S3_SECRET_ACCESS_KEY', 'S3RVER'),
      forcePathStyle: readBool(env, 'S3_FORCE_PATH_STYLE', true),
      urlTtlSeconds: readInt(env, 'S3_URL_TTL_SECONDS', 900, { min: 1, max: 604_800 }),
    },
    uploads: {
      urlTtlSeconds: readInt(env, 'UPLOAD_URL_TTL_SECONDS', 900, { min: 1, max: 86_400 }),
      maxImageBytes: readInt(env, 'UPLOAD_MAX_IMAGE_BYTES', 10 * MiB, { min: 1, max: 5 * 1024 * MiB }),
      maxAttachmentBytes: readInt(env, 'UPLOAD_MAX_ATTACHMENT_BYTES', 100 * MiB, { min: 1, max: 5 * 1024 * MiB }),
      // S3 parts are at least 5 MiB (but the last).
      multipartThresholdBytes: readInt(env, 'UPLOAD_MULTIPART_THRESHOLD_BYTES', 16 * MiB, {
        min: 5 * MiB,
        max: 5 * 1024 * MiB,
      }),
      sweepIntervalSeconds: readInt(env, 'UPLOAD_SWEEP_INTERVAL_SECONDS', 60, { min: 1, max: 3_600 }),
      sweepGraceSeconds: readInt(env, 'UPLOAD_SWEEP_GRACE_SECONDS', 60, { min: 0, max: 3_600 }),
    },
    redis: {
      url: readUrl(env, 'REDIS_URL'),
      keyPrefix: readString(env, 'REDIS_KEY_PREFIX', 'polystore:'),
      cacheTtlSeconds: readInt(env, 'CACHE_TTL_SECONDS', 300, { min: 1 }),
    },
    gateway: {
      supergraphPath: readString(env, 'SUPERGRAPH_PATH', 'gateway/supergraph.graphql'),
      supergraphUrl: readUrl(env, 'SUPERGRAPH_URL'),
      supergraphPollMs: readInt(env, 'SUPERGRAPH_POLL_MS', 2_000, { min: 0, max: 3_600_000 }),
      supergraphDrainMs: readInt(env, 'SUPERGRAPH_DRAIN_MS', 3_600_000, { min: 1, max: 86_400_000 }),
      queryPlanner: readEnum(env, 'QUERY_PLANNER', ['rust', 'js'] as const, 'rust'),
      introspection: readBool(env, 'GATEWAY_INTROSPECTION', true),
      responseCache: {
        enabled: readBool(env, 'GATEWAY_RESPONSE_CACHE', false),
        ttlSeconds: readInt(env, 'GATEWAY_RESPONSE_CACHE_TTL_SECONDS', 60, { min: 1, max: 86_400 }),
      },
      persistedQueries: {
        mode: readEnum(env, 'GATEWAY_PERSISTED_QUERIES', ['apq', 'allow-list'] as const, 'apq'),
        ttlSeconds: readInt(env, 'GATEWAY_PERSISTED_QUERIES_TTL_SECONDS', 0, { min: 0 }),
      },
      upstreamTimeoutMs: readInt(env, 'GATEWAY_UPSTREAM_TIMEOUT_MS', 30_000, { min: 100, max: 600_000 }),
      limits: {
        maxDepth: readInt(env, 'GATEWAY_MAX_DEPTH', 12, { min: 1, max: 100 }),
        maxAliases: readInt(env, 'GATEWAY_MAX_ALIASES', 20, { min: 0, max: 1000 }),
        maxDirectives: readInt(env, 'GATEWAY_MAX_DIRECTIVES', 20, { min: 0, max: 1000 }),
        maxTokens: readInt(env, 'GATEWAY_MAX_TOKENS', 3_000, { min: 100, max: 100_000 }),
        maxCost: readInt(env, 'GATEWAY_MAX_COST', 10_000, { min: 0, max: 10_000_000 }),
        defaultListSize: readInt(env, 'GATEWAY_DEFAULT_LIST_SIZE', 10, { min: 1, max: 1000 }),
        maxBodyBytes: readInt(env, 'GATEWAY_MAX_BODY_BYTES', 100 * 1024, { min: 1024, max: 100 * MiB }),
        maxFields: readInt(env, 'GATEWAY_MAX_FIELDS', 200, { min: 10, max: 100_000 }),
        maxFieldRepeats: readInt(env, 'GATEWAY_MAX_FIELD_REPEATS', 10, { min: 1, max: 1000 }),
        maxFragments: readInt(env, 'GATEWAY_MAX_FRAGMENTS', 50, { min: 0, max: 10_000 }),
        maxVariables: readInt(env, 'GATEWAY_MAX_VARIABLES', 50, { min: 0, max: 10_000 }),
      },
      rateLimit: {
        requests: readInt(env, 'GATEWAY_RATE_LIMIT', 600, { min: 0, max: 1_000_000 }),
        windowSeconds: readInt(env, 'GATEWAY_RATE_LIMIT_WINDOW_SECONDS', 60, { min: 1, max: 86_400 }),
        redisTimeoutMs: readInt(env, 'GATEWAY_RATE_LIMIT_REDIS_TIMEOUT_MS', 100, { min: 1, max: 10_000 }),
      },
      maxSubscriptionsPerConnection: readInt(env, 'GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION', 20, {
        min: 1,
        max: 1000,
      }),
      corsOrigins: readOrigins(env, 'GATEWAY_CORS_ORIGINS'),
    },
    auth: {
      jwtSecret: readSecret(env, 'JWT_SECRET'),
      jwksUrl: readUrl(env, 'JWT_JWKS_URL'),
      issuer: readString(env, 'JWT_ISSUER', 'polystore'),
      audience: readString(env, 'JWT_AUDIENCE', 'polystore'),
      clockSkewSeconds: readInt(env, 'JWT_CLOCK_SKEW_SECONDS', 30, { min: 0, max: 300 }),
      maxLifetimeSeconds: readInt(env, 'JWT_MAX_LIFETIME_SECONDS', 86_400, { min: 60, max: 31_536_000 }),
      subgraphSecret: readSecret(env, 'SUBGRAPH_SIGNING_SECRET'),
      signatureMaxAgeSeconds: readInt(env, 'SUBGRAPH_SIGNATURE_MAX_AGE_SECONDS', 60, { min: 1, max: 3600 }),
    },
    subgraphUrls: perSubgraph(({ urlVariable }) => readUrl(env, urlVariable)),
    tracing: {
      otlpEndpoint: readUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT'),
      samplePercent: readInt(env, 'TRACES_SAMPLE_PERCENT', 100, { min: 0, max: 100 }),
    },
    dataDir: readString(env, 'DATA_DIR', '.data'),
    seedOnStart: readBool(env, 'SEED_ON_START', true),
  };
}

/** A secret long enough to resist guessing (HS256 wants at least 256 bits). */
function readSecret(env: Env, name: string): string | undefined {
  const value = readOptionalString(env, name);
  if (value !== undefined && value.length < 32) throw new ConfigError(`${name} must be at least 32 characters`);
  return value;
}

/** A comma-separated list of origins (`https://app.example.com`), each checked. */
function readOrigins(env: Env, name: string): string[] {
  const origins = (readOptionalString(env, name) ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin)
      throw new ConfigError(`${name}: "${origin}" is not an origin like https://app.example.com`);
  }
  return origins;
}

/** One value per subgraph of the registry, keyed by its name. */
function perSubgraph<T>(read: (subgraph: (typeof SUBGRAPHS)[number]) => T): Record<SubgraphName, T> {
  return Object.fromEntries(SUBGRAPHS.map((subgraph) => [subgraph.name, read(subgraph)])) as Record<SubgraphName, T>;
}

/** Names of every variable `loadConfig` reads; `.env.example` and docker-compose are checked against it. */
export const CONFIG_VARIABLES = [
  'LOG_LEVEL',
  'LOG_FORMAT',
  'HOST',
  'SHUTDOWN_TIMEOUT_MS',
  'GATEWAY_PORT',
  ...SUBGRAPHS.map((subgraph) => subgraph.portVariable),
  'METRICS_ENABLED',
  'METRICS_HOST',
  'GATEWAY_METRICS_PORT',
  ...SUBGRAPHS.map((subgraph) => subgraph.metricsPortVariable),
  'DATABASE_URL',
  'DATABASE_OWNER_URL',
  'DATABASE_READER_ROLE',
  'DATABASE_POOL_MAX',
  'DATABASE_STATEMENT_TIMEOUT_MS',
  'DATABASE_CONNECT_TIMEOUT_MS',
  'OUTBOX_POLL_INTERVAL_MS',
  'EVENT_RETRY_AFTER_MS',
  'MONGO_URL',
  'MONGO_DATABASE',
  'MONGO_SERVER_SELECTION_TIMEOUT_MS',
  'S3_ENDPOINT',
  'S3_PUBLIC_ENDPOINT',
  'S3_REGION',
  'S3_BUCKET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
  'S3_URL_TTL_SECONDS',
  'UPLOAD_URL_TTL_SECONDS',
  'UPLOAD_MAX_IMAGE_BYTES',
  'UPLOAD_MAX_ATTACHMENT_BYTES',
  'UPLOAD_MULTIPART_THRESHOLD_BYTES',
  'UPLOAD_SWEEP_INTERVAL_SECONDS',
  'UPLOAD_SWEEP_GRACE_SECONDS',
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'CACHE_TTL_SECONDS',
  'SUPERGRAPH_PATH',
  'SUPERGRAPH_URL',
  'SUPERGRAPH_POLL_MS',
  'SUPERGRAPH_DRAIN_MS',
  'QUERY_PLANNER',
  'GATEWAY_INTROSPECTION',
  'GATEWAY_RESPONSE_CACHE',
  'GATEWAY_RESPONSE_CACHE_TTL_SECONDS',
  'GATEWAY_PERSISTED_QUERIES',
  'GATEWAY_PERSISTED_QUERIES_TTL_SECONDS',
  'GATEWAY_UPSTREAM_TIMEOUT_MS',
  'GATEWAY_MAX_DEPTH',
  'GATEWAY_MAX_ALIASES',
  'GATEWAY_MAX_DIRECTIVES',
  'GATEWAY_MAX_TOKENS',
  'GATEWAY_MAX_COST',
  'GATEWAY_DEFAULT_LIST_SIZE',
  'GATEWAY_MAX_BODY_BYTES',
  'GATEWAY_MAX_FIELDS',
  'GATEWAY_MAX_FIELD_REPEATS',
  'GATEWAY_MAX_FRAGMENTS',
  'GATEWAY_MAX_VARIABLES',
  'GATEWAY_RATE_LIMIT',
  'GATEWAY_RATE_LIMIT_WINDOW_SECONDS',
  'GATEWAY_RATE_LIMIT_REDIS_TIMEOUT_MS',
  'GATEWAY_CORS_ORIGINS',
  'GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION',
  'JWT_SECRET',
  'JWT_JWKS_URL',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'JWT_CLOCK_SKEW_SECONDS',
  'JWT_MAX_LIFETIME_SECONDS',
  'SUBGRAPH_SIGNING_SECRET',
  'SUBGRAPH_SIGNATURE_MAX_AGE_SECONDS',
  ...SUBGRAPHS.map((subgraph) => subgraph.urlVariable),
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'TRACES_SAMPLE_PERCENT',
  'DATA_DIR',
  'SEED_ON_START',
] as const;
