/**
 * Docker cannot run here, so this file checks docker-compose.yml, the
 * Dockerfile and .env.example against the code: every variable a container is
 * given must be one that loadConfig reads and accepts, ports, health checks and
 * URLs must agree with each other, and the image must start files that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig, type Config } from '@polystore/common';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const repoPath = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

// --- docker compose interpolation ---------------------------------------------

type Env = Record<string, string>;

/**
 * Compose's interpolation: `$$` is a literal `$`; `${VAR:-default}`,
 * `${VAR-default}`, `${VAR}` and `$VAR` read the shell or `.env`. Every
 * variable must have a default so that `docker compose up` works with no
 * `.env` and no secret has to be committed.
 */
function interpolate(value: string, dotenv: Env, used: Set<string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare)!;
      used.add(name);
      const set = dotenv[name];
      if (op === ':-' || op === '-') {
        if (arg === undefined || arg === '') throw new Error(`${match}: empty default`);
        return set === undefined || (op === ':-' && set === '') ? arg : set;
      }
      throw new Error(`${match} has no default: write \${${name}:-default}`);
    },
  );
}

function interpolateDeep(value: unknown, dotenv: Env, used: Set<string>): unknown {
  if (typeof value === 'string') return interpolate(value, dotenv, used);
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, dotenv, used));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, dotenv, used)]));
  }
  return value;
}

// --- the files ----------------------------------------------------------------

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: number | string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: (string | { source?: string; target: string })[];
  restart?: string;
  stop_grace_period?: string;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const rawCompose = parse(read('docker-compose.yml')) as ComposeFile;

/** `.env.example`: assignments, commented out or not. */
function parseEnvExample(text: string) {
  const lines = text.split('\n');
  const set: Env = {};
  const commented: Env = {};
  const counts = new Map<string, number>();
  const uncommentedWithoutComment: string[] = [];
  lines.forEach((line, index) => {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) return;
    const [, hash, name, value] = match as unknown as [string, string | undefined, string, string];
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (hash) commented[name] = value;
    else {
      set[name] = value;
      if (!lines[index - 1]?.startsWith('#')) uncommentedWithoutComment.push(name);
    }
  });
  return { set, commented, counts, uncommentedWithoutComment };
}
const envExample = parseEnvExample(read('.env.example'));

/** Dockerfile instructions with continuations joined, comments dropped. */
function parseDockerfile(text: string): { instruction: string; args: string }[] {
  const logical: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line) && current === '') continue;
    if (/^\s*#/.test(line)) continue; // comment inside a continuation
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  return logical.map((line) => {
    const [instruction = '', ...rest] = line.split(/\s+/);
    return { instruction: instruction.toUpperCase(), args: rest.join(' ') };
  });
}
const dockerfile = parseDockerfile(read('Dockerfile'));

// --- what the stack needs -------------------------------------------------------

const STORES = ['postgres', 'mongo', 'redis', 'minio', 'minio-init'] as const;

interface AppSpec {
  entry: string;
  portVariable: 'GATEWAY_PORT' | 'SQL_SUBGRAPH_PORT' | 'MONGO_SUBGRAPH_PORT' | 'STORAGE_SUBGRAPH_PORT';
  port: (config: Config) => number;
  /** Variables the service must be given in compose. */
  required: readonly string[];
  /** Variables that only this service may set (besides the ones every service reads). */
  own: readonly string[];
  dependsOn: Record<string, string>;
}

const COMMON_REQUIRED = ['LOG_LEVEL', 'HOST', 'REDIS_URL'];
/** Read by every process. */
const COMMON_ALLOWED = [...COMMON_REQUIRED, 'SHUTDOWN_TIMEOUT_MS', 'REDIS_KEY_PREFIX', 'CACHE_TTL_SECONDS'];

const APPS: Record<string, AppSpec> = {
  'sql-subgraph': {
    entry: 'services/sql-subgraph/src/index.ts',
    portVariable: 'SQL_SUBGRAPH_PORT',
    port: (config) => config.ports.sql,
    required: ['SQL_SUBGRAPH_PORT', 'DATABASE_URL'],
    own: ['DATABASE_POOL_MAX', 'DATABASE_STATEMENT_TIMEOUT_MS', 'DATABASE_CONNECT_TIMEOUT_MS'],
    dependsOn: { postgres: 'service_healthy', redis: 'service_healthy' },
  },
  'mongo-subgraph': {
    entry: 'services/mongo-subgraph/src/index.ts',
    portVariable: 'MONGO_SUBGRAPH_PORT',
    port: (config) => config.ports.mongo,
    required: ['MONGO_SUBGRAPH_PORT', 'MONGO_URL'],
    own: ['MONGO_DATABASE', 'MONGO_SERVER_SELECTION_TIMEOUT_MS'],
    dependsOn: { mongo: 'service_healthy', redis: 'service_healthy' },
  },
  'storage-subgraph': {
    entry: 'services/storage-subgraph/src/index.ts',
    portVariable: 'STORAGE_SUBGRAPH_PORT',
    port: (config) => config.ports.storage,
    required: [
      'STORAGE_SUBGRAPH_PORT',
      'S3_ENDPOINT',
      'S3_PUBLIC_ENDPOINT',
      'S3_REGION',
      'S3_BUCKET',
      'S3_ACCESS_KEY_ID',
      'S3_SECRET_ACCESS_KEY',
      'S3_FORCE_PATH_STYLE',
    ],
    own: ['S3_URL_TTL_SECONDS'],
    dependsOn: {
      minio: 'service_healthy',
      'minio-init': 'service_completed_successfully',
      redis: 'service_healthy',
    },
  },
  gateway: {
    entry: 'gateway/src/index.ts',
    portVariable: 'GATEWAY_PORT',
    port: (config) => config.ports.gateway,
    required: [
      'GATEWAY_PORT',
      'SUPERGRAPH_PATH',
      'QUERY_PLANNER',
      'SQL_SUBGRAPH_URL',
      'MONGO_SUBGRAPH_URL',
      'STORAGE_SUBGRAPH_URL',
    ],
    own: [],
    dependsOn: {
      'sql-subgraph': 'service_healthy',
      'mongo-subgraph': 'service_healthy',
      'storage-subgraph': 'service_healthy',
    },
  },
};
const APP_NAMES = Object.keys(APPS);

/** The ports every process listens on when nothing is configured. */
const DEFAULT_CONFIG = loadConfig({});

// --- helpers --------------------------------------------------------------------

function environmentOf(service: ComposeService): Env {
  const { environment } = service;
  if (environment === undefined) return {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const at = entry.indexOf('=');
        if (at < 0) throw new Error(`environment entry "${entry}" has no value: it would be taken from the host`);
        return [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => {
      if (value === null) throw new Error(`${name} has no value: it would be taken from the host`);
      return [name, String(value)];
    }),
  );
}

/** `[ip:]host:container[/proto]` → { host, container }. */
function publishedPorts(service: ComposeService): { host: number; container: number }[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return { host: Number(port.published), container: Number(port.target) };
    const parts = String(port)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const container = Number(parts.at(-1));
    const host = parts.length >= 2 ? Number(parts.at(-2)) : Number.NaN;
    return { host, container };
  });
}

function dependsOn(service: ComposeService): Record<string, string> {
  const deps = service.depends_on;
  if (deps === undefined) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition ?? 'service_started']));
}

const words = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : value.split(/\s+/).filter(Boolean);

function healthcheckUrl(service: ComposeService): URL {
  const test = service.healthcheck?.test;
  const text = Array.isArray(test) ? test.join(' ') : (test ?? '');
  const match = /https?:\/\/[^'"\s)]+/.exec(text);
  if (!match) throw new Error(`health check "${text}" requests no URL`);
  return new URL(match[0]);
}

const portOf = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

// --- the checks, once with no .env and once with .env copied from .env.example ---

const scenarios: [string, Env][] = [
  ['no .env', {}],
  ['.env copied from .env.example', envExample.set],
];

describe.each(scenarios)('docker-compose.yml (%s)', (_scenario, dotenv) => {
  const interpolated = new Set<string>();
  let compose: ComposeFile;
  // In a hook, so that a variable without a default fails every test with its name.
  beforeAll(() => {
    compose = interpolateDeep(rawCompose, dotenv, interpolated) as ComposeFile;
  });
  const service = (name: string): ComposeService => {
    const found = compose.services[name];
    if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
    return found;
  };
  const envOf = (name: string) => environmentOf(service(name));
  const configOf = (name: string) => loadConfig(envOf(name));

  it('defines every store and service of the stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...STORES, ...APP_NAMES].sort());
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
    expect(words(service('postgres').healthcheck?.test as string[]).join(' ')).toContain('pg_isready');
    expect(words(service('mongo').healthcheck?.test as string[]).join(' ')).toMatch(/mongosh.*ping/);
    expect(words(service('redis').healthcheck?.test as string[]).join(' ')).toMatch(/redis-cli.*ping/);
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
    const env = envOf('minio-init');
    const script = [...words(init.entrypoint), ...words(init.command)].join(' ');
    // `$$VAR` became `$VAR`, which the container's shell reads from its environment.
    const shell = (text: string) =>
      text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => {
        if (env[name] === undefined) throw new Error(`minio-init uses $${name} but does not set it`);
        return env[name]!;
      });
    const makeBucket = /mc\s+mb\s+(?:--?[\w-]+\s+)*["']?([^\s"']+)["']?/.exec(script);
    expect(makeBucket).not.toBeNull();
    const target = shell(makeBucket![1]!);
    const alias = /mc\s+alias\s+set\s+(\S+)\s+(\S+)/.exec(script);
    expect(alias).not.toBeNull();
    expect(target.split('/')[0]).toBe(alias![1]);
    expect(new URL(alias![2]!).hostname).toBe('minio');
    expect(target.split('/')[1]).toBe(configOf('storage-subgraph').s3.bucket);
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

  it('reads every credential from the shell or .env with a default, and documents it in .env.example', () => {
    // interpolate() already threw for a variable without a default.
    expect(interpolated.size).toBeGreaterThan(0);
    for (const name of interpolated) expect(envExample.counts.has(name) ? name : `${name} missing`).toBe(name);
    for (const variable of ['POSTGRES_PASSWORD', 'MINIO_ROOT_PASSWORD']) expect(interpolated).toContain(variable);
  });

  describe.each(APP_NAMES)('%s', (name) => {
    const spec = APPS[name]!;

    it('is built from the one Dockerfile and runs its own entry file', () => {
      const { build, command } = service(name);
      const context = typeof build === 'string' ? build : build?.context;
      expect(context).toBe('.');
      if (typeof build === 'object' && build.dockerfile) expect(build.dockerfile).toBe('Dockerfile');
      expect(words(command)).toEqual(['node', '--import', 'tsx', spec.entry]);
      expect(existsSync(repoPath(spec.entry))).toBe(true);
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

    it('publishes its port, the default port of loadConfig', () => {
      const port = spec.port(configOf(name));
      expect(Number(envOf(name)[spec.portVariable])).toBe(port);
      expect(port).toBe(spec.port(DEFAULT_CONFIG));
      expect(publishedPorts(service(name))).toEqual([{ host: port, container: port }]);
    });

    it('reports healthy only when GET /ready on its port succeeds', () => {
      const url = healthcheckUrl(service(name));
      expect(['127.0.0.1', 'localhost']).toContain(url.hostname);
      expect(portOf(url)).toBe(spec.port(configOf(name)));
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
      const grace = service(name).stop_grace_period ?? '10s';
      const match = /^(\d+)(ms|s|m)$/.exec(grace);
      expect(match).not.toBeNull();
      const graceMs = Number(match![1]) * { ms: 1, s: 1000, m: 60_000 }[match![2] as 'ms' | 's' | 'm'];
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

  it('routes the gateway to each subgraph by its compose service name and port', () => {
    const { gateway } = configOf('gateway');
    const targets = { sql: 'sql-subgraph', mongo: 'mongo-subgraph', storage: 'storage-subgraph' } as const;
    for (const [key, target] of Object.entries(targets) as [keyof typeof targets, string][]) {
      const url = new URL(gateway.subgraphUrls[key]!);
      expect(url.hostname).toBe(target);
      expect(portOf(url)).toBe(APPS[target]!.port(configOf(target)));
      expect(url.pathname).toBe('/graphql');
    }
    expect(['rust', 'js']).toContain(gateway.queryPlanner);
  });

  it('gives the gateway a supergraph that is in the image', () => {
    const { supergraphPath } = configOf('gateway').gateway;
    expect(supergraphPath.startsWith('/')).toBe(false); // relative to the image's WORKDIR, the repository root
    expect(existsSync(repoPath(supergraphPath))).toBe(true);
  });
});

describe('.env.example', () => {
  it('lists every variable that loadConfig reads, once, each under a comment', () => {
    const missing = CONFIG_VARIABLES.filter((name) => !envExample.counts.has(name));
    expect(missing).toEqual([]);
    const repeated = [...envExample.counts].filter(([, count]) => count > 1).map(([name]) => name);
    expect(repeated).toEqual([]);
    expect(envExample.uncommentedWithoutComment).toEqual([]);
  });

  it('lists the variables the tests read', () => {
    for (const name of ['TEST_DATABASE_URL', 'TEST_REDIS_URL', 'MONGO_URL', 'S3_ENDPOINT']) {
      expect(envExample.counts.has(name) ? name : `${name} missing`).toBe(name);
    }
    expect(envExample.set.TEST_DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(envExample.set.TEST_REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('shows the defaults of loadConfig, and leaves unset what has no default', () => {
    const known = new Set<string>(CONFIG_VARIABLES);
    const defaults = Object.fromEntries(Object.entries(envExample.set).filter(([name]) => known.has(name)));
    expect(loadConfig(defaults)).toEqual(DEFAULT_CONFIG);
    // Each commented-out example is a valid value that changes the config: it had no default.
    for (const [name, value] of Object.entries(envExample.commented)) {
      if (!known.has(name)) continue;
      expect(loadConfig({ [name]: value })).not.toEqual(DEFAULT_CONFIG);
    }
  });
});

describe('Dockerfile', () => {
  const from = dockerfile.filter(({ instruction }) => instruction === 'FROM');
  const args = Object.fromEntries(
    dockerfile
      .filter(({ instruction }) => instruction === 'ARG')
      .map(({ args: arg }) => {
        const at = arg.indexOf('=');
        return at < 0 ? [arg, ''] : [arg.slice(0, at), arg.slice(at + 1)];
      }),
  );
  const expand = (text: string) =>
    text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => args[name] ?? '');
  const lastStage = dockerfile.slice(dockerfile.lastIndexOf(from.at(-1)!));

  it('builds in stages on Node 20 bookworm-slim', () => {
    expect(from.length).toBeGreaterThanOrEqual(2);
    for (const stage of from) expect(expand(stage.args.split(/\s+/)[0]!)).toMatch(/^node:20(\.\d+)*-bookworm-slim$/);
  });

  it('installs the locked dependencies of every workspace before copying the sources', () => {
    const root = JSON.parse(read('package.json')) as { workspaces: string[]; devDependencies?: Record<string, string> };
    const install = dockerfile.findIndex(
      ({ instruction, args: arg }) => instruction === 'RUN' && /\bnpm ci\b/.test(arg),
    );
    expect(install).toBeGreaterThan(0);
    expect(dockerfile[install]!.args).toMatch(/MONGOMS_DISABLE_POSTINSTALL=1/);
    const copied = dockerfile
      .slice(0, install)
      .filter(({ instruction }) => instruction === 'COPY')
      .flatMap(({ args: arg }) =>
        arg
          .split(/\s+/)
          .filter((word) => !word.startsWith('--'))
          .slice(0, -1),
      );
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    for (const workspace of root.workspaces) {
      expect(existsSync(repoPath(`${workspace}/package.json`))).toBe(true);
      expect(copied).toContain(`${workspace}/package.json`);
    }
    // Every manifest copied is a workspace (a stale line would fail the build).
    const manifests = copied.filter((path) => path.endsWith('/package.json')).map((path) => path.slice(0, -13));
    expect(manifests.sort()).toEqual([...root.workspaces].sort());
    // The sources come after the install, and tsx (a devDependency) stays installed.
    expect(
      dockerfile.slice(install).some(({ instruction, args: arg }) => instruction === 'COPY' && /^\.\s/.test(arg)),
    ).toBe(true);
    expect(dockerfile[install]!.args).not.toMatch(/--omit[= ]dev|--production/);
    expect(root.devDependencies?.tsx).toBeDefined();
  });

  it('runs as a user other than root', () => {
    const user = lastStage.filter(({ instruction }) => instruction === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
  });

  it('starts an entry file that exists, through tsx, from the repository root', () => {
    const cmd = lastStage.filter(({ instruction }) => instruction === 'CMD').at(-1);
    expect(cmd).toBeDefined();
    const command = JSON.parse(cmd!.args) as string[]; // exec form, so node gets SIGTERM
    expect(command.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
    expect(Object.values(APPS).map(({ entry }) => entry)).toContain(command[3]);
    expect(existsSync(repoPath(command[3]!))).toBe(true);
    expect(lastStage.filter(({ instruction }) => instruction === 'WORKDIR').at(-1)?.args).toBe('/app');
    expect(
      dockerfile.some(
        ({ instruction, args: arg }) => instruction === 'COPY' && /^--from=\w+\s+\/app\s+\/app$/.test(arg),
      ),
    ).toBe(true);
  });

  it('keeps installed and generated files out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['node_modules', '**/node_modules', '.data', 'dist', '.git', 'coverage', '.env']) {
      expect(ignored).toContain(entry);
    }
  });
});
