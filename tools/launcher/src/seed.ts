import cliProgress from 'cli-progress';
import {
  connectServiceCache,
  graphqlRequest,
  Teardown,
  type Config,
  type GraphQLResponse,
  type Logger,
} from '@polystore/common';
import { createStorageCache, createS3Store, putProductImage } from '@polystore/storage-subgraph/seed';
import { adminToken, authorization } from './tokens.js';
import { DEMO_CATEGORIES, DEMO_PRODUCTS, DEMO_REVIEWS, DEMO_USERS, productImage } from './demo-data.js';

const request = (
  gatewayUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) => graphqlRequest(gatewayUrl, query, variables, { timeoutMs: 30_000, headers });

function check(result: GraphQLResponse, allowed: string[] = []): GraphQLResponse {
  const unexpected = (result.errors ?? []).filter((error) => !allowed.includes(error.extensions?.code ?? ''));
  if (unexpected.length > 0)
    throw new Error(`seed request failed: ${unexpected.map((error) => error.message).join('; ')}`);
  return result;
}

/** A request to the gateway as the seeding admin. */
type Send = (query: string, variables?: Record<string, unknown>) => Promise<GraphQLResponse>;

/** True when the stores hold no product yet. */
export async function storesAreEmpty(gatewayUrl: string): Promise<boolean> {
  const result = check(await request(gatewayUrl, '{ products(first: 1) { totalCount } }'));
  return result.data!.products.totalCount === 0;
}

/**
 * Loads the demo catalog through the gateway (users, products, details) and
 * the product images into S3 the way the storage service stores an upload
 * (its key scheme, pending record and completion check; `server-writes.ts`).
 * Idempotent: what exists already is kept, so it can run on any stack.
 */
export async function seed({
  gatewayUrl,
  config,
  log,
  progress = process.stderr.isTTY,
}: {
  gatewayUrl: string;
  config: Config;
  log: Logger;
  progress?: boolean;
}): Promise<{ users: number; products: number; images: number; reviews: number; orders: number }> {
  const bar = progress
    ? new cliProgress.SingleBar(
        { format: 'seeding [{bar}] {value}/{total} {step}' },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(DEMO_USERS.length + DEMO_PRODUCTS.length + 1, 0, { step: 'users' });
  // Seeding writes the catalog, so it runs as an admin (a token minted from JWT_SECRET when set).
  const admin = authorization(adminToken(config));
  const send = (query: string, variables?: Record<string, unknown>) => request(gatewayUrl, query, variables, admin);
  const teardown = new Teardown(log);
  const s3 = createS3Store(config, teardown);
  const counts = { users: 0, products: 0, images: 0, reviews: 0, orders: 0 };
  try {
    // Images are written as the storage-subgraph writes them, into its cache's view too.
    const { cache: settings } = await connectServiceCache({ config, log, teardown }, 's3');
    const writer = { s3, cache: createStorageCache(s3, settings) };
    for (const user of DEMO_USERS) {
      const result = check(
        await send('mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }', {
          input: user,
        }),
        ['CONFLICT'],
      );
      if (result.data?.createUser) counts.users++;
      bar?.increment(1, { step: user.email });
    }
    for (const category of DEMO_CATEGORIES) {
      check(
        await send('mutation ($input: UpsertCategoryInput!) { upsertCategory(input: $input) { slug } }', {
          input: category,
        }),
      );
    }
    for (const product of DEMO_PRODUCTS) {
      const { details, color: _color, ...core } = product;
      const created = check(
        await send('mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
          input: core,
        }),
        ['CONFLICT'],
      );
      let productId: string | undefined = created.data?.createProduct?.id;
      if (productId) counts.products++;
      else {
        const existing = check(
          await send('query ($sku: String!) { productBySku(sku: $sku) { id } }', { sku: product.sku }),
        );
        productId = existing.data!.productBySku.id as string;
      }
      check(
        await send('mutation ($input: UpsertProductDetailsInput!) { upsertProductDetails(input: $input) { id } }', {
          input: { productId, ...details },
        }),
      );
      const images = check(await send('query ($id: ID!) { product(id: $id) { images { id } } }', { id: productId }));
      if (images.data!.product.images.length === 0) {
        for (const view of ['front', 'side']) {
          await putProductImage(writer, productId, {
            filename: `${product.sku.toLowerCase()}-${view}.svg`,
            contentType: 'image/svg+xml',
            body: productImage(product, view),
          });
          counts.images++;
        }
      }
      bar?.increment(1, { step: product.sku });
    }
    counts.reviews = await seedReviews(send);
    counts.orders = await seedOrders(send);
    bar?.increment(1, { step: 'orders' });
  } finally {
    bar?.stop();
    await teardown.close();
  }
  log.info(counts, 'demo data loaded');
  return counts;
}

/** The demo reviews; one a user already wrote (CONFLICT) is kept as it is. */
async function seedReviews(send: Send): Promise<number> {
  const users = check(await send('{ users(first: 100) { edges { node { id email } } } }'));
  const userIds = new Map<string, string>(
    users.data!.users.edges.map((edge: { node: { id: string; email: string } }) => [edge.node.email, edge.node.id]),
  );
  let added = 0;
  for (const { user, sku, ...review } of DEMO_REVIEWS) {
    const product = check(await send('query ($sku: String!) { productBySku(sku: $sku) { id } }', { sku }));
    const userId = userIds.get(DEMO_USERS[user]!.email);
    if (!userId || !product.data?.productBySku) continue;
    const result = check(
      await send('mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }', {
        input: { ...review, userId, productId: product.data.productBySku.id },
      }),
      ['CONFLICT'],
    );
    if (result.data?.addReview) added++;
  }
  return added;
}

/** A few orders in different states for the demo users who have none yet. */
async function seedOrders(send: Send): Promise<number> {
  const catalog = check(
    await send(
      '{ users(first: 3) { edges { node { id orders(first: 1) { totalCount } } } } products(first: 4) { edges { node { id } } } }',
    ),
  );
  const products: string[] = catalog.data!.products.edges.map((edge: { node: { id: string } }) => edge.node.id);
  let placed = 0;
  for (const [i, edge] of catalog.data!.users.edges.entries()) {
    if (edge.node.orders.totalCount > 0 || products.length < 2) continue;
    const items = [
      { productId: products[i % products.length], quantity: 1 },
      { productId: products[(i + 1) % products.length], quantity: 1 + (i % 2) },
    ];
    // Products priced in other currencies cannot share an order: order them one by one.
    for (const item of items) {
      const result = check(
        await send('mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
          input: { userId: edge.node.id, items: [item] },
        }),
        ['INSUFFICIENT_STOCK'],
      );
      const orderId = result.data?.placeOrder?.id as string | undefined;
      if (!orderId) continue;
      placed++;
      // Walk some orders forward so the demo shows history and every state.
      for (const status of ['PAID', 'SHIPPED', 'DELIVERED'].slice(0, (i + placed) % 4)) {
        check(
          await send('mutation ($input: UpdateOrderStatusInput!) { updateOrderStatus(input: $input) { id } }', {
            input: { orderId, status },
          }),
        );
      }
    }
  }
  return placed;
}
