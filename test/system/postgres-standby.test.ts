/**
 * PostgreSQL with a streaming standby behind a stable endpoint: a primary and
 * a hot standby with synchronous commit (Debian's PostgreSQL 15), the
 * product's HAProxy endpoint (deploy/haproxy/postgres.cfg) in front of them,
 * and the sql-subgraph (with its outbox relay on Redis) given only the
 * endpoint's address. Clients place orders without pause; the primary is
 * killed (SIGKILL) and the standby promoted. The service must reach the new
 * primary by itself, refuse writes meanwhile with SERVICE_UNAVAILABLE (a
 * client retries with its idempotency key), keep every order a client was
 * told about, and place none twice. Then the dead node is rebuilt as the new
 * primary's standby and it all happens again.
 *
 * The refused-write window of each failover runs from the kill to the first
 * order acknowledged after it (sent after the kill), and includes the
 * promotion itself. POSTGRES_FAILOVER_TRIALS (default 3) failovers;
 * POSTGRES_FAILOVER_REPORT=1 prints each window and their median.
 */
import { createPostgresRoles, postgresRoleEnv, postgresRoles } from '@polystore/embedded';
import { createSqlSubgraph, type SqlSubgraph } from '@polystore/sql-subgraph';
import { eventually, graphqlRequest, startForTest, type StartedSubgraph } from '@polystore/testing';
import { testRedis } from '@polystore/testing/stores';
import pg from 'pg';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';

const TRIALS = Number(process.env.POSTGRES_FAILOVER_TRIALS ?? 3);
/** Clients placing orders at the same time, each one after the other. */
const CLIENTS = 4;
const DATABASE = 'polystore';
const STOCK = 1_000_000;

let cluster: PostgresCluster | undefined;
let redis: Awaited<ReturnType<typeof testRedis>> | undefined;
let service: StartedSubgraph<SqlSubgraph> | undefined;
let userId: string;
let productId: string;

const gql = async (query: string, variables: Record<string, unknown>) => {
  const response = await graphqlRequest(service!.url, query, variables, { timeoutMs: 10_000 });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!;
};

beforeAll(async () => {
  cluster = await startPostgresCluster();
  // As production runs it: migrations as the schema's owner, requests as the services' role, both through the endpoint.
  const roles = postgresRoles('polystore');
  const admin = new pg.Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  try {
    await createPostgresRoles(admin, roles);
    await admin.query(`CREATE DATABASE ${DATABASE} OWNER ${roles.owner}`);
  } finally {
    await admin.end();
  }
  redis = await testRedis();
  service = await startForTest(createSqlSubgraph, {
    ...postgresRoleEnv(cluster.url(DATABASE), roles),
    DATABASE_CONNECT_TIMEOUT_MS: '1000',
    REDIS_URL: redis.serviceUrls.sql,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    OUTBOX_POLL_INTERVAL_MS: '50',
  });
  userId = (
    await gql('mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }', {
      input: { email: 'buyer@example.com', name: 'Buyer' },
    })
  ).createUser.id;
  productId = (
    await gql('mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
      input: { sku: 'HA-1', name: 'Failover', price: { amount: 100, currency: 'USD' }, stock: STOCK },
    })
  ).createProduct.id;
}, 120_000);

afterAll(async () => {
  await service?.dispose();
  await redis?.dispose();
  await cluster?.dispose();
}, 60_000);

const PLACE_ORDER = 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }';

interface Load {
  /** Acknowledged orders by idempotency key: the id, when the request was sent and when its answer came. */
  acknowledged: Map<string, { id: string; sentAt: number; answeredAt: number }>;
  /** Every refused or unanswered request: when it was sent and the error code. */
  refused: { sentAt: number; code: string }[];
  /** Stops placing new orders; resolves once every client's last order was acknowledged. */
  stop(): Promise<void>;
}

/**
 * CLIENTS clients placing one-item orders, each with a key of its own. A
 * refused order is sent again with the same key after 20 ms, until
 * acknowledged or `deadline`, as a client that must not lose an order does.
 */
function placeOrders(trial: number, deadline: number): Load {
  const acknowledged: Load['acknowledged'] = new Map();
  const refused: Load['refused'] = [];
  let stopping = false;
  const client = async (c: number) => {
    for (let n = 0; !stopping; n++) {
      const key = `trial${trial}-client${c}-${n}`;
      for (;;) {
        if (Date.now() > deadline) throw new Error(`order ${key} not acknowledged before the deadline`);
        const sentAt = Date.now();
        const input = { userId, items: [{ productId, quantity: 1 }], idempotencyKey: key };
        const response = await graphqlRequest(service!.url, PLACE_ORDER, { input }, { timeoutMs: 10_000 }).catch(
          (err: Error) => ({ data: undefined, errors: [{ message: err.message, extensions: { code: 'NO_ANSWER' } }] }),
        );
        const id = response.data?.placeOrder?.id as string | undefined;
        if (id) {
          acknowledged.set(key, { id, sentAt, answeredAt: Date.now() });
          break;
        }
        refused.push({ sentAt, code: String(response.errors?.[0]?.extensions?.code) });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
  // A client that gives up is reported by stop(), not as an unhandled rejection before it.
  for (const running of clients) running.catch(() => undefined);
  return {
    acknowledged,
    refused,
    stop() {
      stopping = true;
      return Promise.all(clients).then(() => undefined);
    },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Runs one statement in the product's database, as the superuser, through the endpoint. */
const inDatabase = <T>(text: string, parameters: unknown[] = []) =>
  cluster!.sql<T>(text, parameters, { database: DATABASE });

/** Orders placed without pause while the primary is killed and the standby promoted; ends once 20 went to the new primary. */
async function failoverUnderLoad(trial: number) {
  const load = placeOrders(trial, Date.now() + 60_000);
  try {
    await eventually(async () => load.acknowledged.size >= 20, 'orders before the failover', 20_000);
    const failover = await cluster!.failover();
    // Sent after the kill, so answered by the promoted node.
    const after = () => [...load.acknowledged.values()].filter((order) => order.sentAt > failover.killedAt);
    await eventually(async () => after().length >= 20, 'orders on the promoted standby', 30_000);
    await load.stop();
    const firstAnsweredAt = Math.min(...after().map((order) => order.answeredAt));
    return { load, failover, windowMs: firstAnsweredAt - failover.killedAt, firstAnsweredAt };
  } finally {
    // On the way out after a failure: the clients stop by their deadline at the latest, and the first error is the one to see.
    await load.stop().catch(() => undefined);
  }
}

/** Every order acknowledged in `load` is on the primary under its key, no key placed twice, and the stock agrees with `placed` orders in all. */
async function expectOrdersKept(load: Load, placed: number) {
  const stored = await inDatabase<{ key: string; id: string }>(
    'SELECT idempotency_key AS key, id FROM orders WHERE user_id = $1 AND idempotency_key = ANY($2::text[])',
    [userId, [...load.acknowledged.keys()]],
  );
  expect(new Map(stored.map((row) => [row.key, row.id]))).toEqual(
    new Map([...load.acknowledged].map(([key, order]) => [key, order.id])),
  );
  const [totals] = await inDatabase<{ orders: number; stock: number }>(
    `SELECT (SELECT count(*)::integer FROM orders WHERE user_id = $1) AS orders,
            (SELECT stock FROM products WHERE id = $2) AS stock`,
    [userId, productId],
  );
  expect(totals).toEqual({ orders: placed, stock: STOCK - placed });
}

describe('PostgreSQL primary and synchronous standby behind the HAProxy endpoint', () => {
  it(
    'keeps every acknowledged order across failovers, reaches the promoted standby without a restart, and measures the refused-write window',
    async () => {
      const windows: number[] = [];
      let placed = 0;
      for (let trial = 1; trial <= TRIALS; trial++) {
        if (trial > 1) await cluster!.attachStandby();
        const { load, failover, windowMs, firstAnsweredAt } = await failoverUnderLoad(trial);
        windows.push(windowMs);
        if (process.env.POSTGRES_FAILOVER_REPORT) {
          const refused = load.refused.filter((request) => request.sentAt >= failover.killedAt);
          process.stderr.write(
            `postgres failover ${trial}: writes refused for ${windowMs} ms after the kill ` +
              `(promotion took ${failover.promotedAt - failover.killedAt} ms, ` +
              `then ${firstAnsweredAt - failover.promotedAt} ms to the first order); ` +
              `${refused.length} requests refused (${[...new Set(refused.map((r) => r.code))].join(', ')}), ` +
              `${load.acknowledged.size} orders acknowledged\n`,
          );
        }

        // The endpoint leads to the promoted node, which the service reached by itself.
        const [endpoint] = await cluster!.sql<{ port: number }>('SELECT inet_server_port() AS port');
        expect(endpoint?.port).toBe(cluster!.primary.port);
        // Refusals say why; nothing else failed.
        expect(load.refused.filter((request) => request.code !== 'SERVICE_UNAVAILABLE')).toEqual([]);
        placed += load.acknowledged.size;
        await expectOrdersKept(load, placed);
        // The outbox relay and its LISTEN connection moved too: every order's event leaves the outbox.
        const unpublished = async () =>
          (
            await inDatabase<{ left: number }>(
              'SELECT count(*)::integer AS left FROM outbox WHERE published_at IS NULL',
            )
          )[0]!.left;
        await eventually(async () => (await unpublished()) === 0, 'the outbox drained on the new primary', 20_000);
      }
      if (process.env.POSTGRES_FAILOVER_REPORT) {
        process.stderr.write(`postgres failover: median refused-write window ${median(windows)} ms of ${TRIALS}\n`);
      }
    },
    60_000 + TRIALS * 90_000,
  );
});
