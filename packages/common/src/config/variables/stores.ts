import { hostPorts, inSection, integer, mongoUrl, oneOf, optionalText, text, url } from '../variable.js';

const POSTGRES = { title: 'PostgreSQL (sql-subgraph)' };

export const postgres = inSection(POSTGRES, {
  url: url({
    name: 'DATABASE_URL',
    secret: true,
    example: 'postgres://polystore_service:secret@127.0.0.1:5432/polystore',
    unset: '`npm start` runs an embedded server (data in DATA_DIR/postgres)',
    doc: "Connection URL of the services' role, which may only call the order procedures and touch what they need (docs/sql.md, Roles).",
  }),
  ownerUrl: url({
    name: 'DATABASE_OWNER_URL',
    secret: true,
    example: 'postgres://polystore_owner:secret@127.0.0.1:5432/polystore',
    unset: 'DATABASE_URL, whose role then owns the schema (docs/sql.md lists what it needs)',
    doc: "The schema owner's connection, used only to run migrations.",
  }),
  readerRole: optionalText({
    name: 'DATABASE_READER_ROLE',
    example: 'polystore_reader',
    unset: 'none',
    doc: 'Role the migrations grant read access to every table and view, for reporting.',
  }),
  poolMax: integer({
    name: 'DATABASE_POOL_MAX',
    default: 10,
    min: 1,
    max: 1000,
    doc: 'Largest number of pooled connections per process.',
  }),
  statementTimeoutMs: integer({
    name: 'DATABASE_STATEMENT_TIMEOUT_MS',
    default: 5_000,
    min: 0,
    doc: 'Milliseconds before a statement is cancelled.',
  }),
  connectTimeoutMs: integer({
    name: 'DATABASE_CONNECT_TIMEOUT_MS',
    default: 5_000,
    min: 1,
    doc: 'Milliseconds to wait for a pooled connection before failing with SERVICE_UNAVAILABLE.',
  }),
});

export const outbox = inSection(POSTGRES, {
  pollIntervalMs: integer({
    name: 'OUTBOX_POLL_INTERVAL_MS',
    default: 250,
    min: 10,
    max: 60_000,
    doc: 'Milliseconds between polls of the outbox table by the relay when it is empty.',
  }),
});

export const mongo = inSection(
  { title: 'MongoDB (mongo-subgraph)' },
  {
    url: mongoUrl({
      name: 'MONGO_URL',
      secret: true,
      example: 'mongodb://10.0.0.5:27017,10.0.0.6:27017,10.0.0.7:27017/?replicaSet=rs0',
      unset: '`npm start` serves an embedded wire-compatible server, and so do the tests',
      doc: 'Connection URL: one server, a replica set (its members and `replicaSet`) or mongos routers, with credentials and TLS; the tests use it too when it is set. Write concern and read preference come from the settings below.',
    }),
    database: text({ name: 'MONGO_DATABASE', default: 'polystore', doc: 'Database name.' }),
    serverSelectionTimeoutMs: integer({
      name: 'MONGO_SERVER_SELECTION_TIMEOUT_MS',
      default: 5_000,
      min: 1,
      doc: 'Milliseconds the driver waits to find a server before failing with SERVICE_UNAVAILABLE.',
    }),
    writeConcern: oneOf({
      name: 'MONGO_WRITE_CONCERN',
      values: ['majority', '1', '2', '3', '4', '5', '6', '7'],
      default: 'majority',
      doc: "Members of the replica set that must hold a write before it is acknowledged (`w`; wins over the URL's `w`). `majority` keeps acknowledged writes across a failover; a standalone server (the embedded one) treats it as 1, a real standalone refuses 2 and more.",
    }),
    writeConcernTimeoutMs: integer({
      name: 'MONGO_WRITE_CONCERN_TIMEOUT_MS',
      default: 10_000,
      min: 0,
      doc: 'Milliseconds a write waits for MONGO_WRITE_CONCERN before failing with SERVICE_UNAVAILABLE (the write may still be applied; 0 waits without limit).',
    }),
    readPreference: oneOf({
      name: 'MONGO_READ_PREFERENCE',
      values: ['primary', 'primaryPreferred', 'secondary', 'secondaryPreferred', 'nearest'],
      default: 'primary',
      doc: "Where reads that tolerate lag go (search); every other read goes to the primary whatever the URL's `readPreference` says (docs/mongo.md, Replica sets).",
    }),
  },
);

const REDIS = { title: 'Redis (every service)' };

export const redis = inSection(REDIS, {
  url: url({
    name: 'REDIS_URL',
    secret: true,
    example: 'redis://127.0.0.1:6379',
    unset:
      '`npm start` runs a private redis-server (append-only file in DATA_DIR/redis); a service started alone uses an in-process cache and event stream and keeps its events in the outbox',
    doc: 'Connection URL; in production each service has its own ACL user in it (`redis://<prefix>-sql:<password>@host:6379`; rules: `redisAclRules` in packages/common/src/redis/acl.ts).',
  }),
  sentinels: hostPorts({
    name: 'REDIS_SENTINELS',
    example: '10.0.0.5:26379,10.0.0.6:26379,10.0.0.7:26379',
    unset: 'REDIS_URL names the Redis server itself',
    doc: 'Redis Sentinels (host:port, comma-separated): every Redis client asks them for the primary of REDIS_SENTINEL_MASTER and follows its failovers; REDIS_URL then gives only the user, password and database.',
  }),
  sentinelMaster: text({
    name: 'REDIS_SENTINEL_MASTER',
    default: 'mymaster',
    doc: 'The name the Sentinels monitor the primary under (with REDIS_SENTINELS).',
  }),
  sentinelPassword: optionalText({
    name: 'REDIS_SENTINEL_PASSWORD',
    secret: true,
    example: "<the Sentinels' requirepass>",
    unset: 'the Sentinels ask for no password',
    doc: 'Password of the Sentinels themselves (with REDIS_SENTINELS), not of Redis.',
  }),
  clusterNodes: hostPorts({
    name: 'REDIS_CLUSTER_NODES',
    example: '10.0.0.5:6379,10.0.0.6:6379,10.0.0.7:6379',
    unset: 'REDIS_URL (or REDIS_SENTINELS) names one Redis server',
    doc: 'Seed nodes of a Redis Cluster (host:port, comma-separated; the rest are learned from them): every Redis client becomes a cluster client; REDIS_URL then gives only the user and password. Not together with REDIS_SENTINELS.',
  }),
  eventReplicaAcks: integer({
    name: 'REDIS_EVENT_REPLICA_ACKS',
    default: 0,
    min: 0,
    max: 16,
    doc: 'Replicas that must hold an appended domain event (Redis WAIT, up to 500 ms) before the outbox marks it sent; set 1 with Sentinel, so a failover cannot lose an event. Events wait in the outbox while fewer answer.',
  }),
  keyPrefix: text({
    name: 'REDIS_KEY_PREFIX',
    default: 'polystore:',
    doc: 'Prefix of every key, channel and stream; services that share events must share it.',
  }),
  cacheTtlSeconds: integer({
    name: 'CACHE_TTL_SECONDS',
    default: 300,
    min: 1,
    doc: 'Seconds an entity stays in the second-level cache.',
  }),
});

export const events = inSection(REDIS, {
  retryAfterMs: integer({
    name: 'EVENT_RETRY_AFTER_MS',
    default: 30_000,
    min: 100,
    max: 3_600_000,
    doc: 'Milliseconds a domain event whose handler failed waits before it is delivered again.',
  }),
});
