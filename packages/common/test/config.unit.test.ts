import { CONFIG_VARIABLES, ConfigError, loadConfig, type Config } from '../src/index.js';

describe('loadConfig', () => {
  it('gives every setting a default so `npm start` needs no configuration', () => {
    const config = loadConfig({});
    expect(config.ports).toEqual({ gateway: 4000, sql: 4001, mongo: 4002, storage: 4003 });
    expect(config.postgres.url).toBeUndefined();
    expect(config.redis.url).toBeUndefined();
    expect(config.gateway.queryPlanner).toBe('rust');
    expect(config.s3.publicEndpoint).toBeUndefined();
    // Production keeps a minute between sweeps and a minute of grace; tests may shorten both.
    expect(config.uploads).toMatchObject({ urlTtlSeconds: 900, sweepIntervalSeconds: 60, sweepGraceSeconds: 60 });
  });

  it('reads each variable and derives the public S3 endpoint from the internal one', () => {
    const config = loadConfig({
      GATEWAY_PORT: '8080',
      S3_ENDPOINT: 'http://minio:9000',
      S3_FORCE_PATH_STYLE: 'false',
      QUERY_PLANNER: 'js',
    });
    expect(config.ports.gateway).toBe(8080);
    expect(config.s3.publicEndpoint).toBe('http://minio:9000');
    expect(config.s3.forcePathStyle).toBe(false);
    expect(config.gateway.queryPlanner).toBe('js');
  });

  it.each([
    ['GATEWAY_PORT', 'eighty'],
    ['GATEWAY_PORT', '70000'],
    ['DATABASE_URL', 'not a url'],
    ['QUERY_PLANNER', 'fast'],
    ['S3_FORCE_PATH_STYLE', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['UPLOAD_SWEEP_INTERVAL_SECONDS', '0'],
    ['UPLOAD_SWEEP_GRACE_SECONDS', '-1'],
    ['UPLOAD_URL_TTL_SECONDS', '0'],
  ])('rejects %s=%s with an error naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('lists every variable it reads', () => {
    expect(new Set(CONFIG_VARIABLES).size).toBe(CONFIG_VARIABLES.length);
    const read = new Set<string | symbol>();
    loadConfig(new Proxy({}, { get: (_, name) => void read.add(name) }));
    expect([...read]).toEqual(CONFIG_VARIABLES);
  });
});

describe('loadConfig: reading values', () => {
  it('reads only the variables it is given, never the shell', () => {
    const saved = process.env.GATEWAY_PORT;
    process.env.GATEWAY_PORT = '9999';
    try {
      expect(loadConfig({}).ports.gateway).toBe(4000);
    } finally {
      if (saved === undefined) delete process.env.GATEWAY_PORT;
      else process.env.GATEWAY_PORT = saved;
    }
  });

  it('takes an empty variable as unset, as an empty line in .env means', () => {
    const config = loadConfig({ GATEWAY_PORT: '', DATABASE_URL: '', S3_FORCE_PATH_STYLE: '', LOG_LEVEL: '' });
    expect(config).toEqual(loadConfig({}));
  });

  it('refuses a malformed connection URL without printing it, since it may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://app:s3cret@db:port/app' })).toThrow(
      /DATABASE_URL must be a URL/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'postgres://app:s3cret@db:port/app' })).not.toThrow(/s3cret/);
  });

  it("takes a replica set's or an SRV MongoDB URL, refuses anything else without printing it", () => {
    const replicaSet = 'mongodb://app:secret@10.0.0.5:27017,10.0.0.6:27017/?replicaSet=rs0&tls=true';
    expect(loadConfig({ MONGO_URL: replicaSet }).mongo.url).toBe(replicaSet);
    expect(loadConfig({ MONGO_URL: 'mongodb+srv://cluster0.example.net' }).mongo.url).toBeDefined();
    expect(() => loadConfig({ MONGO_URL: 'https://user:secret@example.com' })).toThrow(
      /MONGO_URL must be a MongoDB connection string/,
    );
    expect(() => loadConfig({ MONGO_URL: 'https://user:secret@example.com' })).not.toThrow(/secret/);
  });

  it.each(['1', 'true', 'TRUE', 'yes', 'on'])('reads %p as true', (value) => {
    expect(loadConfig({ S3_FORCE_PATH_STYLE: value }).s3.forcePathStyle).toBe(true);
  });

  it.each(['0', 'false', 'False', 'no', 'off'])('reads %p as false', (value) => {
    expect(loadConfig({ SEED_ON_START: value }).seedOnStart).toBe(false);
  });

  it('accepts the bounds of a range and rejects one past them, naming the value', () => {
    expect(loadConfig({ GATEWAY_PORT: '0' }).ports.gateway).toBe(0);
    expect(loadConfig({ GATEWAY_PORT: '65535' }).ports.gateway).toBe(65535);
    expect(() => loadConfig({ GATEWAY_PORT: '65536' })).toThrow(
      'GATEWAY_PORT must be an integer between 0 and 65535, got "65536"',
    );
    expect(loadConfig({ S3_URL_TTL_SECONDS: '604800' }).s3.urlTtlSeconds).toBe(604_800);
    expect(() => loadConfig({ S3_URL_TTL_SECONDS: '604801' })).toThrow(ConfigError);
    expect(() => loadConfig({ EVENT_RETRY_AFTER_MS: '99' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_POOL_MAX: '0' })).toThrow(ConfigError);
  });

  it('rejects a fractional number', () => {
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: '1.5' })).toThrow('SHUTDOWN_TIMEOUT_MS must be an integer');
  });

  it('keeps an explicit public S3 endpoint apart from the internal one', () => {
    const config = loadConfig({ S3_ENDPOINT: 'http://minio:9000', S3_PUBLIC_ENDPOINT: 'http://localhost:9000' });
    expect(config.s3.endpoint).toBe('http://minio:9000');
    expect(config.s3.publicEndpoint).toBe('http://localhost:9000');
  });

  it('reads the subgraph URLs that replace the supergraph', () => {
    const config = loadConfig({ SQL_SUBGRAPH_URL: 'http://sql-subgraph:4001/graphql' });
    expect(config.subgraphUrls.sql).toBe('http://sql-subgraph:4001/graphql');
    expect(config.subgraphUrls.mongo).toBeUndefined();
  });

  it('lists the allowed values of an enumeration in its error', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow('LOG_FORMAT must be one of auto, pretty, json, got "xml"');
  });
});

// The config's type is derived from the declarations: these fail to compile if its shape drifts.
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
export type ConfigShape = [
  Expect<Equal<Config['logLevel'], 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'>>,
  Expect<Equal<Config['logFormat'], 'auto' | 'pretty' | 'json'>>,
  Expect<Equal<Config['ports'], { gateway: number; sql: number; mongo: number; storage: number }>>,
  Expect<Equal<Config['postgres']['url'], string | undefined>>,
  Expect<Equal<Config['s3']['publicEndpoint'], string | undefined>>,
  Expect<Equal<Config['gateway']['queryPlanner'], 'rust' | 'js'>>,
  Expect<Equal<Config['gateway']['persistedQueries'], { mode: 'apq' | 'allow-list'; ttlSeconds: number }>>,
  Expect<Equal<Config['gateway']['limits']['maxDepth'], number>>,
  Expect<Equal<Config['gateway']['corsOrigins'], string[]>>,
  Expect<Equal<Config['auth']['jwtSecret'], string | undefined>>,
  Expect<
    Equal<Config['subgraphUrls'], { sql: string | undefined; mongo: string | undefined; storage: string | undefined }>
  >,
  Expect<Equal<Config['seedOnStart'], boolean>>,
];
