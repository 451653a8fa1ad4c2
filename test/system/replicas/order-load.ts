import { ask, RotatingIdentity } from './client.js';

const PLACE_ORDER = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`;
/** A product page that needs every subgraph: stock (sql), details and reviews (mongo), images (storage). */
export const PRODUCT_PAGE = `query ($id: ID!) {
  product(id: $id) { id stock details { description } reviews(first: 1) { totalCount } images { id } }
}`;

/** What a client of the load saw: the orders it was told about, by idempotency key, and its failures. */
export interface OrderLoad {
  /** Idempotency key → the id of the order the API acknowledged. */
  acknowledged: Map<string, string>;
  /** Keys whose order was still unacknowledged when the client gave up (it may or may not exist). */
  gaveUp: string[];
  /** Requests that failed and were tried again (placeOrder), and failed product pages (not retried). */
  retries: number;
  reads: { ok: number; failed: number };
  /** Stops the workers after their current order and resolves when they have. */
  stop(): Promise<void>;
}

export interface OrderLoadOptions {
  url: string;
  userIds: string[];
  productIds: string[];
  workers?: number;
  /** Orders per worker at most (the load is bounded even if nobody stops it). Default 300. */
  ordersPerWorker?: number;
  /** How long a client keeps retrying one order. Default 20 s. */
  retryForMs?: number;
}

/**
 * A mixed load through the balancer: each worker places an order (one to three
 * units of one product) with an idempotency key and retries it on any failure
 * (a killed replica, a 502) with the same key until it is acknowledged, then
 * reads a product page. Retries are what a careful client does; the key is
 * what makes them safe.
 */
export function startOrderLoad({
  url,
  userIds,
  productIds,
  workers = 4,
  ordersPerWorker = 300,
  retryForMs = 20_000,
}: OrderLoadOptions): OrderLoad {
  const load: Omit<OrderLoad, 'stop'> = {
    acknowledged: new Map(),
    gaveUp: [],
    retries: 0,
    reads: { ok: 0, failed: 0 },
  };
  let stopped = false;
  const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;

  async function place(identity: RotatingIdentity, key: string) {
    const input = {
      userId: pick(userIds),
      items: [{ productId: pick(productIds), quantity: 1 + Math.floor(Math.random() * 3) }],
      idempotencyKey: key,
    };
    const deadline = Date.now() + retryForMs;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const answer = await ask<{ placeOrder: { id: string } }>(url, PLACE_ORDER, { input }, { token: identity.next() });
      if (answer.data?.placeOrder) {
        load.acknowledged.set(key, answer.data.placeOrder.id);
        return;
      }
      const code = answer.errors?.[0]?.extensions?.code;
      if (code === 'BAD_USER_INPUT' || code === 'INSUFFICIENT_STOCK' || code === 'FORBIDDEN')
        throw new Error(`placeOrder refused: ${JSON.stringify(answer.errors)}`);
      load.retries++;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 500)));
    }
    load.gaveUp.push(key);
  }

  async function worker(index: number) {
    const identity = new RotatingIdentity();
    for (let n = 0; n < ordersPerWorker && !stopped; n++) {
      await place(identity, `load-${index}-${n}`);
      const page = await ask(url, PRODUCT_PAGE, { id: pick(productIds) }, { token: identity.next() });
      if (page.data?.product && !page.errors) load.reads.ok++;
      else load.reads.failed++;
    }
  }

  const running = Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
  return Object.assign(load, {
    async stop() {
      stopped = true;
      await running;
    },
  });
}
