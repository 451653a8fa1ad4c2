import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '@polystore/embedded';
import { eventually } from '@polystore/testing';
import { run, start, type Started, type StartOptions } from './processes.js';

/**
 * A PostgreSQL primary and a hot standby streaming from it with synchronous
 * commit, built from Debian's PostgreSQL 15 binaries in a temporary folder on
 * free ports of 127.0.0.1, and the product's HAProxy endpoint
 * (deploy/haproxy/postgres.cfg, as it is) in front of both. `failover` kills
 * the primary (SIGKILL to the postmaster and its backends) and promotes the
 * standby, as a failover manager would; `attachStandby` rebuilds the dead
 * node as the new primary's standby, so failovers can be repeated.
 */
const BIN = '/usr/lib/postgresql/15/bin';
const ENDPOINT_CONFIG = fileURLToPath(new URL('../../deploy/haproxy/postgres.cfg', import.meta.url));
/** The name every standby streams under, which synchronous_standby_names waits for. */
const STANDBY_NAME = 'standby';

export interface PostgresNode {
  name: 'node1' | 'node2';
  port: number;
  dataDir: string;
  server?: Started;
}

export interface PostgresCluster {
  primary: PostgresNode;
  standby: PostgresNode;
  /** The HAProxy endpoint's port: the one address the services are given. */
  endpointPort: number;
  /** A superuser's URL of the endpoint (or of `node`), on `database`. */
  url(database: string, node?: PostgresNode): string;
  /** Runs one statement as the superuser through the endpoint (or on `node`), in `database` (default postgres). */
  sql<T = Record<string, unknown>>(
    text: string,
    parameters?: unknown[],
    at?: { node?: PostgresNode; database?: string },
  ): Promise<T[]>;
  /** Kills the primary and promotes the standby; the times of both, and the nodes swap roles. */
  failover(): Promise<{ killedAt: number; promotedAt: number }>;
  /** Builds the standby afresh from the primary (pg_basebackup) and waits until it is the synchronous standby. */
  attachStandby(): Promise<void>;
  /** Everything the endpoint and the nodes wrote, for failure reports. */
  output(): string;
  dispose(): Promise<void>;
}

/** PostgreSQL refuses to run as root: as root, its processes run as the user `postgres`. */
function serverUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'polystore-pg-standby-'));
  const user = serverUser();
  const options: StartOptions = { cwd: dir, env: { PATH: process.env.PATH, LC_ALL: 'C.UTF-8' }, ...user };
  const nodes: PostgresNode[] = [];
  let endpoint: Started | undefined;
  const tool = async (name: string, args: string[], timeoutMs = 60_000) => {
    const result = await run(join(BIN, name), args, { ...options, timeoutMs });
    if (result.code !== 0) throw new Error(`${name} failed (${result.code ?? 'killed'}):\n${result.output}`);
  };
  const url = (database: string, node?: PostgresNode) =>
    `postgres://postgres@127.0.0.1:${node?.port ?? endpointPort}/${database}`;
  const sql = async <T>(
    text: string,
    parameters: unknown[] = [],
    { node, database = 'postgres' }: { node?: PostgresNode; database?: string } = {},
  ) => {
    const client = new pg.Client({ connectionString: url(database, node), connectionTimeoutMillis: 2_000 });
    client.on('error', () => {}); // the failing query says it
    try {
      await client.connect();
      return (await client.query(text, parameters)).rows as T[];
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const startServer = async (node: PostgresNode) => {
    node.server = start(
      join(BIN, 'postgres'),
      ['-D', node.dataDir, '-p', String(node.port), '-c', 'listen_addresses=127.0.0.1', '-k', dir],
      options,
    );
    await eventually(
      () =>
        sql('SELECT 1', [], { node }).then(
          () => true,
          () => false,
        ),
      `${node.name} to start`,
      30_000,
    );
  };

  let endpointPort = 0;
  const cluster: PostgresCluster = {
    primary: undefined as never,
    standby: undefined as never,
    get endpointPort() {
      return endpointPort;
    },
    url,
    sql,
    async failover() {
      const { primary, standby } = cluster;
      const killedAt = Date.now();
      await primary.server!.kill();
      await tool('pg_ctl', ['promote', '-D', standby.dataDir, '-w', '-t', '30']);
      const promotedAt = Date.now();
      [cluster.primary, cluster.standby] = [standby, primary];
      return { killedAt, promotedAt };
    },
    async attachStandby() {
      const { primary, standby } = cluster;
      await standby.server?.kill();
      await rm(standby.dataDir, { recursive: true, force: true });
      // The promoted node waits for no one until its own standby streams (else every commit would hang).
      await sql('ALTER SYSTEM RESET synchronous_standby_names', [], { node: primary });
      await sql('SELECT pg_reload_conf()', [], { node: primary });
      // -R: standby.signal and primary_conninfo, naming the stream as synchronous_standby_names expects.
      await tool('pg_basebackup', [
        ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', standby.dataDir],
        ...['-R', '-X', 'stream', '--checkpoint=fast', '-d', `application_name=${STANDBY_NAME}`],
      ]);
      await startServer(standby);
      // Synchronous commit: a commit returns once the standby has flushed it, so a promoted standby has every acknowledged write.
      await sql(`ALTER SYSTEM SET synchronous_standby_names = '${STANDBY_NAME}'`, [], { node: primary });
      await sql('ALTER SYSTEM SET synchronous_commit = on', [], { node: primary });
      await sql('SELECT pg_reload_conf()', [], { node: primary });
      const syncState = async () =>
        (
          await sql<{ sync_state: string }>(
            'SELECT sync_state FROM pg_stat_replication WHERE application_name = $1',
            [STANDBY_NAME],
            { node: primary },
          )
        )[0]?.sync_state === 'sync';
      await eventually(syncState, `${standby.name} to stream synchronously from ${primary.name}`, 30_000);
      // The endpoint must see the standby for what it is before the next failover.
      await eventually(() => endpointReachesPrimary(), 'the endpoint to reach the primary', 10_000);
    },
    output: () => [endpoint, ...nodes.map((node) => node.server)].map((server) => server?.output() ?? '').join('\n'),
    async dispose() {
      await endpoint?.kill();
      for (const node of nodes) await node.server?.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  /**
   * HAProxy before 3.1 counts a server as up until its first check, so just
   * after the endpoint starts a standby can take connections; its checks only
   * ever mark it down. The endpoint balances round robin: connections in a row
   * that all reach the primary show that no other node is taking any.
   */
  const endpointReachesPrimary = async () => {
    for (let connection = 0; connection < 4; connection++) {
      const [reached] = await sql<{ port: number }>('SELECT inet_server_port() AS port').catch(() => []);
      if (reached?.port !== cluster.primary.port) return false;
    }
    return true;
  };

  try {
    if (user.uid !== undefined) {
      await chown(dir, user.uid, user.gid!);
      await chmod(dir, 0o700);
    }
    for (const name of ['node1', 'node2'] as const) {
      nodes.push({ name, port: await freePort(), dataDir: join(dir, name) });
    }
    [cluster.primary, cluster.standby] = [nodes[0]!, nodes[1]!];
    // initdb's pg_hba.conf trusts 127.0.0.1, replication connections included.
    await tool('initdb', ['-D', cluster.primary.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync']);
    await startServer(cluster.primary);
    // The endpoint's health check logs in as this role (deploy/haproxy/postgres.cfg); it replicates to the standby.
    await sql('CREATE ROLE haproxy_check LOGIN', [], { node: cluster.primary });
    endpointPort = await freePort();
    endpoint = start('haproxy', ['-db', '-f', ENDPOINT_CONFIG], {
      ...options,
      env: {
        ...options.env,
        POSTGRES_ENDPOINT_BIND: `127.0.0.1:${endpointPort}`,
        POSTGRES_NODE_1: `127.0.0.1:${nodes[0]!.port}`,
        POSTGRES_NODE_2: `127.0.0.1:${nodes[1]!.port}`,
      },
      uid: undefined,
      gid: undefined,
    });
    await cluster.attachStandby();
    return cluster;
  } catch (err) {
    const output = cluster.output();
    await cluster.dispose();
    throw new Error(`the PostgreSQL cluster did not start: ${(err as Error).message}\n${output}`, { cause: err });
  }
}
