/**
 * Docker cannot run here, so docker-compose.yml is checked against the code:
 * every variable a container is given must be one that loadConfig reads and
 * accepts; ports, health checks and URLs must agree with each other; the image
 * must start files that exist. Once with no `.env`, once with `.env` copied
 * from .env.example.
 */
import { CONFIG_VARIABLES, loadConfig, SUBGRAPHS } from '@polystore/common';
import { APP_NAMES, APPS, BALANCER, COMMON_ALLOWED, COMMON_REQUIRED, COMPOSE_SECRETS, STORES } from './apps.js';
import {
  dependsOn,
  durationMs,
  envExample,
  environmentOf,
  healthcheckUrl,
  loadCompose,
  portOf,
  publishedPorts,
  repoFileExists,
  shellWords,
  words,
  type ComposeFile,
  type Env,
} from './files.js';
import { routeOf } from './haproxy.js';

/** The ports every process listens on when nothing is configured. */
const DEFAULT_CONFIG = loadConfig({});

describe('docker-compose.yml secrets', () => {
  it('has no default for any secret: compose refuses to start, naming what to set, until each is set', () => {
    for (const name of Object.keys(COMPOSE_SECRETS)) {
      const { [name as keyof typeof COMPOSE_SECRETS]: _missing, ...others } = COMPOSE_SECRETS;
      expect(() => loadCompose({ ...envExample.set, ...others })).toThrow(
        new RegExp(`^${name} is required: set ${name} in .env`),
      );
    }
    expect(() => loadCompose({})).toThrow(/is required/);
  });

  it('requires exactly the secrets, and .env.example sets none of them', () => {
    expect([...loadCompose(COMPOSE_SECRETS).required].sort()).toEqual(Object.keys(COMPOSE_SECRETS).sort());
    for (const name of Object.keys(COMPOSE_SECRETS)) {
      expect(envExample.set[name]).toBeUndefined();
      expect(envExample.names).toContain(name);
    }
  });
});

describe.each<[string, Env]>([
  ['only the secrets set', COMPOSE_SECRETS],
  ['.env copied from .env.example, with the secrets set', { ...envExample.set, ...COMPOSE_SECRETS }],
])('docker-compose.yml (%s)', (_scenario, dotenv) => {
  let compose: ComposeFile;
  let interpolated: Set<string>;
  // In a hook, so that a variable without a default fails every test with its name.
  beforeAll(() => ({ compose, interpolated } = loadCompose(dotenv)));
  const service = (name: string) => {
    const found = compose.services[name];
    if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
    return found;
  };
  const envOf = (name: string) => environmentOf(service(name));
  const configOf = (name: string) => loadConfig(envOf(name));

  it('defines every store and service of the stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...STORES, BALANCER, ...APP_NAMES].sort());
    expect(service('postgres').image).toMatch(/^postgres:16(\b|$)/);
    expect(service('mongo').image).toMatch(/^mongo:7(\b|$)/);
    expect(service('redis').image).toMatch(/^redis:7(\b|$)/);
    expect(service('minio').image).toMatch(/^minio\/minio(:|$)/);
    expect(service('minio-init').image).toMatch(/^minio\/mc(:|$)/);
  });

  it('keeps the stores on named volumes and checks their health', () => {
    for (const name of ['postgres', 'mongo', 'redis', 'minio']) {
      const volumes = service(name).volumes ?? [];
      expect(volumes.length).toBeGreaterThan(0);
      for (const volume of volumes) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : volume.source!;
        expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
      expect(service(name).healthcheck?.test).toBeDefined();
    }
    expect(words(service('postgres').healthcheck?.test).join(' ')).toContain('pg_isready');
    expect(words(service('mongo').healthcheck?.test).join(' ')).toMatch(/mongosh.*ping/);
    expect(words(service('redis').healthcheck?.test).join(' ')).toMatch(/redis-cli.*ping/);
  });

  it('runs Redis with the append-only file on', () => {
    const command = words(service('redis').command);
    expect(command[0]).toBe('redis-server');
    const flag = command.indexOf('--appendonly');
    expect(flag).toBeGreaterThan(0);
    expect(command[flag + 1]).toBe('yes');
  });

  it('creates the bucket named by S3_BUCKET in minio-init', () => {
    const init = service('minio-init');
    // `sh -c SCRIPT`: `$$VAR` became `$VAR`, which the shell reads from the container's environment.
    expect(words(init.entrypoint)).toEqual(['/bin/sh', '-c']);
    const commands = words(init.command)
      .join('\n')
      .split('\n')
      .map((line) => shellWords(line, envOf('minio-init')));
    const [alias, url] = commands.find((command) => command.join(' ').startsWith('mc alias set '))?.slice(3) ?? [];
    const makeBucket = commands.find((command) => command.join(' ').startsWith('mc mb '));
    const [target] = makeBucket?.slice(2).filter((word) => !word.startsWith('-')) ?? [];
    expect(alias).toBeDefined();
    expect(target?.split('/')[0]).toBe(alias);
    expect(new URL(url!).hostname).toBe('minio');
    expect(target?.split('/')[1]).toBe(configOf('storage-subgraph').s3.bucket);
    expect(dependsOn(init)).toEqual({ minio: 'service_healthy' });
    expect(init.restart ?? 'no').toBe('no');
  });

  it('gives MinIO usable root credentials, the ones storage-subgraph signs with', () => {
    const minio = envOf('minio');
    expect(minio.MINIO_ROOT_USER!.length).toBeGreaterThanOrEqual(3);
    expect(minio.MINIO_ROOT_PASSWORD!.length).toBeGreaterThanOrEqual(8);
    const { s3 } = configOf('storage-subgraph');
    expect(s3.accessKeyId).toBe(minio.MINIO_ROOT_USER);
    expect(s3.secretAccessKey).toBe(minio.MINIO_ROOT_PASSWORD);
    expect(envOf('minio-init').MINIO_ROOT_USER).toBe(minio.MINIO_ROOT_USER);
    expect(envOf('minio-init').MINIO_ROOT_PASSWORD).toBe(minio.MINIO_ROOT_PASSWORD);
  });

  it('reads every setting from the shell or .env, with a default unless it is a secret, and documents it in .env.example', () => {
    // loadCompose already threw for a variable without a default that is not a secret.
    expect(interpolated.size).toBeGreaterThan(0);
    expect([...interpolated].filter((name) => !envExample.names.includes(name))).toEqual([]);
    expect(interpolated).toContain('POSTGRES_PASSWORD');
    expect(interpolated).toContain('MINIO_ROOT_PASSWORD');
  });

  describe.each(APP_NAMES)('%s', (name) => {
    const spec = APPS[name]!;

    it('is built from the one Dockerfile and runs its own entry file', () => {
      const { build, command } = service(name);
      expect(typeof build === 'string' ? build : build?.context).toBe('.');
      if (typeof build === 'object' && build.dockerfile) expect(build.dockerfile).toBe('Dockerfile');
      expect(words(command)).toEqual(['node', '--import', 'tsx', spec.entry]);
      expect(repoFileExists(spec.entry)).toBe(true);
    });

    it('is given only variables that loadConfig reads, and the ones it needs', () => {
      const names = Object.keys(envOf(name));
      const known = new Set<string>(CONFIG_VARIABLES);
      expect(names.filter((variable) => !known.has(variable))).toEqual([]);
      const allowed = new Set([...COMMON_ALLOWED, ...spec.required, ...spec.own]);
      expect(names.filter((variable) => !allowed.has(variable))).toEqual([]);
      expect([...COMMON_REQUIRED, ...spec.required].filter((variable) => !names.includes(variable))).toEqual([]);
    });

    it('has an environment that loadConfig accepts, listening on all interfaces', () => {
      const config = configOf(name); // throws a ConfigError naming a bad variable
      expect(config.host).toBe('0.0.0.0');
      expect(new URL(config.redis.url!).hostname).toBe('redis');
      expect(portOf(new URL(config.redis.url!))).toBe(6379);
    });

    it('listens on the default port of loadConfig, metrics on all interfaces of the network, and publishes no port, so it scales', () => {
      const config = configOf(name);
      const port = config.ports[spec.port];
      expect(Number(envOf(name)[spec.portVariable])).toBe(port);
      expect(port).toBe(DEFAULT_CONFIG.ports[spec.port]);
      const metricsPort = config.metrics.ports[spec.port];
      expect(Number(envOf(name)[spec.metricsPortVariable])).toBe(metricsPort);
      expect(metricsPort).toBe(DEFAULT_CONFIG.metrics.ports[spec.port]);
      // Reachable by Prometheus inside the network, never published: a second replica could not take a host port.
      expect(config.metrics).toMatchObject({ enabled: true, host: '0.0.0.0' });
      expect(publishedPorts(service(name))).toEqual([]);
    });

    it('reports healthy only when GET /ready on its port succeeds', () => {
      const url = healthcheckUrl(service(name));
      expect(['127.0.0.1', 'localhost']).toContain(url.hostname);
      expect(portOf(url)).toBe(configOf(name).ports[spec.port]);
      expect(url.pathname).toBe('/ready');
      const test = words(service(name).healthcheck?.test);
      expect(test[0]).toBe('CMD');
      // Slim images have no curl: the check runs on node and fails on a non-2xx status.
      expect(test[1]).toBe('node');
      expect(test.join(' ')).toMatch(/r\.ok\s*\?\s*0\s*:\s*1/);
    });

    it('starts after what it needs is healthy', () => {
      const deps = dependsOn(service(name));
      expect(deps).toEqual(spec.dependsOn);
      for (const [dependency, condition] of Object.entries(deps)) {
        if (condition === 'service_healthy') expect(service(dependency).healthcheck?.test).toBeDefined();
      }
    });

    it('lets the process finish its own shutdown before Docker kills it', () => {
      const graceMs = durationMs(service(name).stop_grace_period ?? '10s');
      expect(graceMs).toBeGreaterThan(configOf(name).shutdownTimeoutMs);
    });
  });

  it('connects sql-subgraph to the postgres service with its credentials', () => {
    const url = new URL(configOf('sql-subgraph').postgres.url!);
    const postgres = envOf('postgres');
    expect(url.protocol).toMatch(/^postgres(ql)?:$/);
    expect(url.hostname).toBe('postgres');
    expect(portOf(url)).toBe(5432);
    expect(decodeURIComponent(url.username)).toBe(postgres.POSTGRES_USER ?? 'postgres');
    expect(decodeURIComponent(url.password)).toBe(postgres.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${postgres.POSTGRES_DB ?? postgres.POSTGRES_USER ?? 'postgres'}`);
  });

  it('connects mongo-subgraph to the mongo service', () => {
    const url = new URL(configOf('mongo-subgraph').mongo.url!);
    expect(url.protocol).toBe('mongodb:');
    expect(url.hostname).toBe('mongo');
    expect(Number(url.port || 27017)).toBe(27017);
  });

  it('points storage-subgraph at MinIO inside the network and presigns for the published port', () => {
    const { s3 } = configOf('storage-subgraph');
    expect(new URL(s3.endpoint!).hostname).toBe('minio');
    expect(portOf(new URL(s3.endpoint!))).toBe(9000);
    const publicUrl = new URL(s3.publicEndpoint!);
    expect(['localhost', '127.0.0.1']).toContain(publicUrl.hostname);
    expect(publishedPorts(service('minio'))).toContainEqual({ host: portOf(publicUrl), container: 9000 });
    expect(s3.forcePathStyle).toBe(true);
  });

  it('routes the gateway to each subgraph through the balancer, which reaches its replicas on their port', () => {
    const { gateway, subgraphUrls } = configOf('gateway');
    for (const { name, service } of SUBGRAPHS) {
      const url = new URL(subgraphUrls[name]!);
      expect(url.hostname).toBe(BALANCER);
      expect(routeOf(portOf(url)).servers.map(({ host, port }) => `${host}:${port}`)).toEqual([
        `${service}:${configOf(service).ports[APPS[service]!.port]}`,
      ]);
      expect(url.pathname).toBe('/graphql');
    }
    expect(['rust', 'js']).toContain(gateway.queryPlanner);
  });

  it('gives the gateway a supergraph that is in the image', () => {
    const { supergraphPath } = configOf('gateway').gateway;
    expect(supergraphPath.startsWith('/')).toBe(false); // relative to the image's WORKDIR, the repository root
    expect(repoFileExists(supergraphPath)).toBe(true);
  });
});
