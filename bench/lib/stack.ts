import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_SCOPE, createLogger, mintToken, SUBGRAPHS, type SubgraphName } from '@polystore/common';
import { freePort } from '@polystore/embedded';
import { testPostgres, testRedis } from '@polystore/testing/stores';
import { startStack } from '@polystore/launcher';
import { tracked } from './cleanup.js';
import { ComponentError } from './process.js';

/**
 * The bench's own secrets: the gateway verifies its tokens and signs for the
 * subgraphs, as in production, and the baseline gateway signs the same way.
 */
export const BENCH_AUTH_ENV = {
  JWT_SECRET: randomBytes(32).toString('hex'),
  SUBGRAPH_SIGNING_SECRET: randomBytes(32).toString('hex'),
  // The e2e scenario's direct side sends one signed body for its whole run.
  SUBGRAPH_SIGNATURE_MAX_AGE_SECONDS: '3600',
};
/** Who the bench's requests act as: an admin, who may read and write everything. */
export const BENCH_CLAIMS = { sub: '00000000-0000-4000-8000-000000000000', scope: ADMIN_SCOPE };
/** Headers of a request to our gateway as the bench's admin. */
export const adminHeaders = (): Record<string, string> => ({
  authorization: `Bearer ${mintToken(BENCH_AUTH_ENV.JWT_SECRET, BENCH_CLAIMS, { issuer: 'polystore', audience: 'polystore', expiresInSeconds: 6 * 3600 })}`,
});

/**
 * The rate limiter on, as in production, with a budget (the most a window allows) no
 * run of the bench can spend: every request pays for being counted, none is refused.
 */
export const RATE_LIMIT_ABOVE_THE_LOAD = { GATEWAY_RATE_LIMIT: '1000000' };

/** BENCH_CPU_PROFILE=dir: every stack process writes a CPU profile there when it exits. */
function profileOptions(): Record<string, string> {
  if (!process.env.BENCH_CPU_PROFILE) return {};
  const hook = new URL('./cpu-profile-hook.ts', import.meta.url).href;
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx --import ${hook}`.trim() };
}

/**
 * The whole stack as `npm start` runs it (each subgraph and the gateway in its
 * own process) on a database and Redis key prefix of its own, the embedded
 * MongoDB and S3 in a temporary folder. `dispose` removes all of it.
 */
export async function startBenchStack({
  redis: ownRedis,
  env: scenarioEnv = {},
  postgres: postgresChoice = 'test server',
}: {
  /** A Redis of the scenario's own (its INFO counts only this stack), instead of a prefix on the shared one. */
  redis?: { url: string; keyPrefix: string };
  /**
   * `test server`: a database of its own on the machine's PostgreSQL. `embedded, archiving`: the
   * launcher's embedded PostgreSQL in the stack's folder, archiving its WAL into `wal-archive` there.
   */
  postgres?: 'test server' | 'embedded, archiving';
  /** Variables of this scenario's stack over the bench's own (say, the rate limit at its default). */
  env?: NodeJS.ProcessEnv;
} = {}) {
  const log = createLogger('bench', 'warn');
  const postgres = postgresChoice === 'test server' ? tracked(await testPostgres()) : undefined;
  const redis = ownRedis ? { ...ownRedis, dispose: async () => undefined } : tracked(await testRedis());
  const dataDir = await mkdtemp(join(tmpdir(), 'polystore-bench-'));
  // As root the embedded PostgreSQL runs as the postgres account, which must get through to its folder.
  if (!postgres) await chmod(dataDir, 0o755);
  const folder = tracked({ dispose: () => rm(dataDir, { recursive: true, force: true }) });
  const subgraphPorts = new Map<SubgraphName, number>();
  for (const subgraph of SUBGRAPHS) subgraphPorts.set(subgraph.name, await freePort());
  const cleanup = async () => {
    await postgres?.dispose();
    await redis.dispose();
    await folder.dispose();
  };
  let stack;
  let env: NodeJS.ProcessEnv;
  try {
    env = {
      ...process.env,
      ...scenarioEnv,
      LOG_LEVEL: 'warn',
      ...BENCH_AUTH_ENV,
      DATA_DIR: dataDir,
      // The administrator, not the services' role: the large-catalog loader bulk-writes orders through it.
      ...(postgres
        ? { DATABASE_URL: postgres.url }
        : {
            DATABASE_URL: undefined,
            DATABASE_OWNER_URL: undefined,
            POSTGRES_WAL_ARCHIVE_DIR: join(dataDir, 'wal-archive'),
          }),
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      ...profileOptions(),
      GATEWAY_PORT: String(await freePort()),
      ...Object.fromEntries(SUBGRAPHS.map((s) => [s.portVariable, String(subgraphPorts.get(s.name))])),
      // Metrics listeners on free ports too: nothing here reads them, and 9090-9093 may be taken.
      GATEWAY_METRICS_PORT: '0',
      ...Object.fromEntries(SUBGRAPHS.map((s) => [s.metricsPortVariable, '0'])),
      // A scenario that reads a metrics listener gives its port.
      ...pick(scenarioEnv, 'GATEWAY_METRICS_PORT'),
    };
    stack = await startStack({ log, env });
  } catch (err) {
    await cleanup();
    throw new ComponentError(`the stack (subgraphs + gateway) could not start: ${String(err)}`);
  }
  const running = tracked({ ...stack, dispose: () => stack.stop() });
  return {
    stack: running,
    /** What the stack was started with, and the embedded stores' addresses. */
    env: { ...env, ...running.storeEnv },
    log,
    /** The administrator's connection: the test server's, or the embedded server's superuser. */
    postgres: { url: postgres?.url ?? superuserOf(running.storeEnv.DATABASE_OWNER_URL!) },
    redis,
    dataDir,
    subgraphPorts,
    async dispose() {
      await running.dispose();
      await cleanup();
    },
  };
}

const pick = (env: NodeJS.ProcessEnv, name: string) => (env[name] === undefined ? {} : { [name]: env[name] });

/** The embedded server's superuser (`postgres`, trusted on 127.0.0.1) on the server of `url`. */
function superuserOf(url: string): string {
  const superuser = new URL(url);
  superuser.username = 'postgres';
  superuser.password = '';
  return superuser.toString();
}
