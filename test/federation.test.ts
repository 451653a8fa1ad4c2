import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  findBreakingChanges,
  findDangerousChanges,
  type IntrospectionQuery,
} from 'graphql';
import {
  asAdmin,
  errorCodes,
  graphqlRequest,
  sampleFile,
  startedOncePerFile,
  upsertTestCategory,
} from '@polystore/testing';
import { putProductImage } from '@polystore/storage-subgraph/seed';
import { startTestStack } from './support/stack.js';

const stack = startedOncePerFile(startTestStack);

describe('one product across three stores, through the gateway', () => {
  it('reads sku and price (PostgreSQL), details (MongoDB) and images (S3), and the image URL returns the bytes', async () => {
    const created = await graphqlRequest(
      stack.gatewayUrl,
      `mutation { createProduct(input: { sku: "KAYAK-1", name: "Kayak", price: { amount: 89900, currency: "EUR" }, stock: 3 }) { id } }`,
      {},
      { headers: asAdmin() },
    );
    expect(created.errors).toBeUndefined();
    const productId: string = created.data!.createProduct.id;

    await upsertTestCategory(stack.gatewayUrl, 'water-sports', [{ name: 'lengthCm', type: 'INT', required: true }]);
    const details = await graphqlRequest(
      stack.gatewayUrl,
      `mutation ($input: UpsertProductDetailsInput!) { upsertProductDetails(input: $input) { id } }`,
      {
        input: {
          productId,
          description: 'Sit-on-top kayak',
          category: 'water-sports',
          tags: ['kayak'],
          attributes: { lengthCm: 310 },
        },
      },
      { headers: asAdmin() },
    );
    expect(details.errors).toBeUndefined();

    const bytes = sampleFile('image/png', 'png bytes for the kayak');
    await putProductImage(stack.storage, productId, {
      filename: 'kayak.png',
      contentType: 'image/png',
      body: bytes,
    });

    const response = await graphqlRequest(
      stack.gatewayUrl,
      `query ($id: ID!) {
        product(id: $id) {
          sku
          price { amount currency }
          details { description category attributes }
          images { filename contentType size checksum url }
        }
      }`,
      { id: productId },
      { headers: asAdmin() },
    );
    expect(response.errors).toBeUndefined();
    const product = response.data!.product;
    expect(product).toMatchObject({
      sku: 'KAYAK-1',
      price: { amount: 89900, currency: 'EUR' },
      details: { description: 'Sit-on-top kayak', category: 'water-sports', attributes: { lengthCm: 310 } },
      images: [
        {
          filename: 'kayak.png',
          contentType: 'image/png',
          size: bytes.length,
          checksum: createHash('md5').update(bytes).digest('hex'),
        },
      ],
    });

    const download = await fetch(product.images[0].url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
  });

  it('lists products as a connection with fields from every subgraph', async () => {
    const response = await graphqlRequest(
      stack.gatewayUrl,
      `{ products(first: 10) { totalCount edges { node { sku details { category } images { id } } } pageInfo { hasNextPage } } }`,
      {},
      { headers: asAdmin() },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.products.totalCount).toBeGreaterThanOrEqual(1);
    expect(response.data!.products.edges[0].node.details.category).toBe('water-sports');
  });

  it('passes subgraph error codes through to the client', async () => {
    const duplicate = await graphqlRequest(
      stack.gatewayUrl,
      `mutation { createProduct(input: { sku: "KAYAK-1", name: "Again", price: { amount: 1, currency: "EUR" } }) { id } }`,
      {},
      { headers: asAdmin() },
    );
    expect(errorCodes(duplicate)).toEqual(['CONFLICT']);
    const malformed = await graphqlRequest(
      stack.gatewayUrl,
      `{ product(id: "nope") { sku } }`,
      {},
      { headers: asAdmin() },
    );
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
    const unknown = await graphqlRequest(
      stack.gatewayUrl,
      `{ product(id: "00000000-0000-4000-8000-000000000000") { sku details { category } } }`,
      {},
      { headers: asAdmin() },
    );
    expect(unknown).toEqual({ data: { product: null } });
  });

  it('rejects an invalid query with a validation error, not a 500', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ product(id: "x") { notAField } }' }),
    });
    expect(response.status).toBeLessThan(500);
    const body = (await response.json()) as { errors: { extensions?: { code?: string } }[] };
    expect(body.errors[0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('client tooling', () => {
  it('answers introspection with the composed schema', async () => {
    const response = await graphqlRequest(
      stack.gatewayUrl,
      `{ __schema { queryType { fields { name } } } __type(name: "Product") { fields { name } } }`,
      {},
      { headers: asAdmin() },
    );
    const rootFields = response.data!.__schema.queryType.fields.map((field: { name: string }) => field.name);
    expect(rootFields).toEqual(expect.arrayContaining(['user', 'users', 'product', 'products', 'asset']));
    const productFields = response.data!.__type.fields.map((field: { name: string }) => field.name);
    expect(productFields).toEqual(expect.arrayContaining(['sku', 'price', 'details', 'images']));
  });

  it('serves exactly the committed public schema (schema.graphql) to introspection', async () => {
    const response = await graphqlRequest(stack.gatewayUrl, getIntrospectionQuery(), {}, { headers: asAdmin() });
    const served = buildClientSchema(response.data as IntrospectionQuery);
    const committed = buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));
    // Any difference is a breaking or dangerous change in one direction or the other.
    for (const [from, to] of [
      [served, committed],
      [committed, served],
    ] as const) {
      expect([...findBreakingChanges(from, to), ...findDangerousChanges(from, to)]).toEqual([]);
    }
  });

  it('serves a GraphQL IDE to browsers on GET', async () => {
    const response = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('Polystore');
  });

  it('serves the IDE and every asset it loads itself, asking no other host', async () => {
    const page = await (await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } })).text();
    // Every absolute URL in the page (scripts, styles, workers, icon) is gone; assets are paths on this gateway.
    expect(page).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    // (XML namespace names are identifiers, never fetched.)
    expect(page).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)/);
    const assets = [...page.matchAll(/\/graphiql\/[\w.-]+\/[\w./-]+\.(js|css)/g)].map((match) => match[0]);
    expect(assets.length).toBeGreaterThanOrEqual(5); // stylesheet, the IDE, three editor workers
    for (const path of new Set(assets)) {
      const asset = await fetch(new URL(path, stack.gatewayUrl));
      expect({ path, status: asset.status }).toEqual({ path, status: 200 });
      expect(asset.headers.get('content-type')).toMatch(/^(text\/javascript|text\/css)/);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    // Only the IDE's own files: no walking out of its folder.
    for (const path of ['/graphiql/x/../../package.json', `${assets[0]!.replace(/[^/]+$/, '')}../package.json`]) {
      expect((await fetch(new URL(path, stack.gatewayUrl))).status).toBe(404);
    }
  });

  it('exposes Prometheus metrics to operators on their own port, per operation and per subgraph', async () => {
    await graphqlRequest(stack.gatewayUrl, 'query ProductPageForMetrics { products(first: 1) { totalCount } }');
    // Not on the port clients use.
    const fromClients = await fetch(new URL('/metrics', stack.gatewayUrl));
    expect(fromClients.status).toBe(404);
    await fromClients.text();
    const body = await (await fetch(stack.metricsUrls.gateway)).text();
    // A name the client chose is no label (only allow-listed operations are named: gateway-metrics.test.ts).
    expect(body).toMatch(/graphql_envelop_request_duration_count\{[^}]*operationName="other"[^}]*\} \d+/);
    expect(body).not.toContain('ProductPageForMetrics');
    expect(body).toMatch(/graphql_gateway_subgraph_execute_duration_count\{[^}]*subgraphName="sql"[^}]*\} \d+/);
    expect(body).toMatch(/http_requests_total\{route="\/graphql",method="POST",status="200",service="gateway"\} \d+/);
  });

  it('tells browsers not to guess the type of any answer: results, errors, health, readiness', async () => {
    const answers = {
      result: await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
      }),
      error: await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ nothing }' }),
      }),
      health: await fetch(new URL('/health', stack.gatewayUrl)),
      ready: await fetch(new URL('/ready', stack.gatewayUrl)),
      unknown: await fetch(new URL('/metrics', stack.gatewayUrl)),
    };
    for (const [name, answer] of Object.entries(answers)) {
      await answer.text();
      expect({ name, nosniff: answer.headers.get('x-content-type-options') }).toEqual({ name, nosniff: 'nosniff' });
    }
  });

  it('reports ready only when every subgraph and its Redis are ready', async () => {
    const response = await fetch(new URL('/ready', stack.gatewayUrl));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { 'mongo-subgraph': 'ok', 'sql-subgraph': 'ok', 'storage-subgraph': 'ok', redis: 'ok' },
    });
  });
});
