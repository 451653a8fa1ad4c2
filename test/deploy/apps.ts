import { SUBGRAPHS, subgraphEntryPath, type Config, type SubgraphName } from '@polystore/common';

/** What each container of the stack needs, as the code reads it. */
interface AppSpec {
  entry: string;
  /** Its key in `Config['ports']`, and the variable that sets it. */
  port: keyof Config['ports'];
  portVariable: string;
  /** The variable that sets its metrics listener's port (`Config['metrics']['ports']`, same key). */
  metricsPortVariable: string;
  /** Variables the service must be given in compose. */
  required: readonly string[];
  /** Variables that only this service may set (besides the ones every service reads). */
  own: readonly string[];
  dependsOn: Record<string, string>;
}

export const STORES = ['postgres', 'mongo', 'redis', 'minio', 'minio-init'];
/** The HAProxy in front of every app service (deploy/compose/haproxy.cfg); services that call another go through it. */
export const BALANCER = 'balancer';
const throughBalancer = { [BALANCER]: 'service_started' };

export const COMMON_REQUIRED = ['LOG_LEVEL', 'HOST', 'METRICS_HOST', 'REDIS_URL', 'SUBGRAPH_SIGNING_SECRET'];
/**
 * What docker-compose.yml requires from the shell or `.env` (`${NAME:?…}`, no default):
 * the secrets, with values the tests use (a password for PostgreSQL and MinIO, 32+ characters for tokens and signatures).
 */
export const COMPOSE_SECRETS = {
  POSTGRES_PASSWORD: 'compose-test-postgres-password',
  MINIO_ROOT_PASSWORD: 'compose-test-minio-password',
  JWT_SECRET: 'compose-test-jwt-secret-0123456789abcdef',
  SUBGRAPH_SIGNING_SECRET: 'compose-test-signing-secret-0123456789abcdef',
};
/** Read by every process. */
export const COMMON_ALLOWED = [
  ...COMMON_REQUIRED,
  'SHUTDOWN_TIMEOUT_MS',
  'REDIS_KEY_PREFIX',
  'CACHE_TTL_SECONDS',
  'SUBGRAPH_SIGNATURE_MAX_AGE_SECONDS',
];

const healthy = (...services: string[]) => Object.fromEntries(services.map((name) => [name, 'service_healthy']));

/** A subgraph's container: entry and port from the registry, plus the stores it reads. */
function subgraphApp(
  name: SubgraphName,
  stores: { required: readonly string[]; own: readonly string[]; dependsOn: Record<string, string> },
): [string, AppSpec] {
  const subgraph = SUBGRAPHS.find((candidate) => candidate.name === name)!;
  return [
    subgraph.service,
    {
      entry: subgraphEntryPath(subgraph),
      port: subgraph.name,
      portVariable: subgraph.portVariable,
      metricsPortVariable: subgraph.metricsPortVariable,
      required: [subgraph.portVariable, subgraph.metricsPortVariable, ...stores.required],
      own: stores.own,
      dependsOn: stores.dependsOn,
    },
  ];
}

export const APPS: Record<string, AppSpec> = Object.fromEntries([
  subgraphApp('sql', {
    required: ['DATABASE_URL'],
    own: ['DATABASE_POOL_MAX', 'DATABASE_STATEMENT_TIMEOUT_MS', 'DATABASE_CONNECT_TIMEOUT_MS'],
    dependsOn: healthy('postgres', 'redis'),
  }),
  subgraphApp('mongo', {
    required: ['MONGO_URL', 'SQL_SUBGRAPH_URL'],
    own: ['MONGO_DATABASE', 'MONGO_SERVER_SELECTION_TIMEOUT_MS'],
    dependsOn: { ...throughBalancer, ...healthy('mongo', 'redis') },
  }),
  subgraphApp('storage', {
    required: [
      'SQL_SUBGRAPH_URL',
      'S3_ENDPOINT',
      'S3_PUBLIC_ENDPOINT',
      'S3_REGION',
      'S3_BUCKET',
      'S3_ACCESS_KEY_ID',
      'S3_SECRET_ACCESS_KEY',
      'S3_FORCE_PATH_STYLE',
    ],
    own: [
      'S3_URL_TTL_SECONDS',
      'UPLOAD_URL_TTL_SECONDS',
      'UPLOAD_MAX_IMAGE_BYTES',
      'UPLOAD_MAX_ATTACHMENT_BYTES',
      'UPLOAD_MULTIPART_THRESHOLD_BYTES',
      'UPLOAD_SWEEP_INTERVAL_SECONDS',
      'UPLOAD_SWEEP_GRACE_SECONDS',
    ],
    dependsOn: { ...throughBalancer, ...healthy('minio', 'redis'), 'minio-init': 'service_completed_successfully' },
  }),
  [
    'gateway',
    {
      entry: 'gateway/src/index.ts',
      port: 'gateway',
      portVariable: 'GATEWAY_PORT',
      metricsPortVariable: 'GATEWAY_METRICS_PORT',
      required: [
        'GATEWAY_PORT',
        'GATEWAY_METRICS_PORT',
        'SUPERGRAPH_PATH',
        'QUERY_PLANNER',
        'JWT_SECRET',
        'JWT_ISSUER',
        'JWT_AUDIENCE',
        ...SUBGRAPHS.map((s) => s.urlVariable),
      ],
      own: [
        'JWT_JWKS_URL',
        'JWT_CLOCK_SKEW_SECONDS',
        'GATEWAY_MAX_DEPTH',
        'GATEWAY_MAX_ALIASES',
        'GATEWAY_MAX_DIRECTIVES',
        'GATEWAY_MAX_TOKENS',
        'GATEWAY_MAX_COST',
        'GATEWAY_DEFAULT_LIST_SIZE',
        'GATEWAY_MAX_BODY_BYTES',
        'GATEWAY_RATE_LIMIT',
        'GATEWAY_RATE_LIMIT_WINDOW_SECONDS',
        'GATEWAY_CORS_ORIGINS',
        'GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION',
      ],
      dependsOn: { ...throughBalancer, ...healthy(...SUBGRAPHS.map((subgraph) => subgraph.service)) },
    },
  ],
]);
export const APP_NAMES = Object.keys(APPS);
