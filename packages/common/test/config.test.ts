import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/index.js';

describe('loadConfig', () => {
  it('gives every setting a default so `npm start` needs no configuration', () => {
    const config = loadConfig({});
    expect(config.ports).toEqual({ gateway: 4000, sql: 4001, mongo: 4002, storage: 4003 });
    expect(config.postgres.url).toBeUndefined();
    expect(config.redis.url).toBeUndefined();
    expect(config.gateway.queryPlanner).toBe('rust');
    expect(config.s3.publicEndpoint).toBeUndefined();
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
  ])('rejects %s=%s with an error naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('lists every variable it reads', () => {
    expect(new Set(CONFIG_VARIABLES).size).toBe(CONFIG_VARIABLES.length);
    const source = loadConfig.toString();
    for (const name of source.matchAll(/read\w+\(env, '([A-Z0-9_]+)'/g)) expect(CONFIG_VARIABLES).toContain(name[1]);
  });
});
