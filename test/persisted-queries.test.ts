import { readFile } from 'node:fs/promises';
import { createGateway, type Gateway } from '@polystore/gateway';
import { composeSupergraph } from '@polystore/gateway/compose';
import { connectRedisLayer, createLogger, Teardown } from '@polystore/common';
import { asAdmin, graphqlRequest, testServiceContext } from '@polystore/testing';
import { startTestStack, type TestStack } from './support/stack.js';
import { createPersistedQueryStore, operationHash } from '../gateway/src/plugins/persisted-queries/redis-store.js';
import { registerManifest } from '../gateway/src/plugins/persisted-queries/register.js';

/**
 * Persisted queries in Redis: automatic (APQ, the default) on the test
 * stack's gateway, and an allow-list gateway over the same subgraphs and
 * Redis that runs only what a client's manifest registered.
 */
let stack: TestStack;
let allowList: { gateway: Gateway; url: string; close(): Promise<void> };
const teardown = new Teardown();

beforeAll(async () => {
  stack = await startTestStack();
  const context = testServiceContext({ ...stack.env, GATEWAY_PERSISTED_QUERIES: 'allow-list' });
  const gateway = await createGateway({ ...context, supergraph: composeSupergraph(stack.subgraphUrls) });
  allowList = { gateway, url: await gateway.listen(0), close: () => context.teardown.close() };
});

afterAll(async () => {
  await allowList?.close();
  await teardown.close();
  await stack?.dispose();
});

/** A request that names its operation by hash, with or without the text. */
async function persisted(url: string, hash: string, query?: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
  });
  return (await response.json()) as {
    data?: Record<string, unknown>;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

describe('automatic persisted queries (GATEWAY_PERSISTED_QUERIES=apq)', () => {
  it('asks for the text of an unknown hash once, then runs the hash alone, on every replica', async () => {
    const query = '{ products(first: 1) { totalCount } }';
    const hash = operationHash(query);
    const unknown = await persisted(stack.gatewayUrl, hash);
    expect(unknown.errors?.[0]).toMatchObject({
      message: 'PersistedQueryNotFound',
      extensions: { code: expect.any(String) },
    });
    expect((await persisted(stack.gatewayUrl, hash, query)).data).toEqual({ products: { totalCount: 0 } });
    expect((await persisted(stack.gatewayUrl, hash)).data).toEqual({ products: { totalCount: 0 } });
    // Kept in Redis, so another replica knows it too.
    expect((await persisted(allowList.url, hash)).data).toEqual({ products: { totalCount: 0 } });
  });

  it('refuses text that does not match its hash, and keeps nothing of it', async () => {
    const real = operationHash('{ products(first: 1) { totalCount } }');
    const hash = `${real[0] === '0' ? '1' : '0'}${real.slice(1)}`;
    const forged = await persisted(stack.gatewayUrl, hash, '{ users(first: 1) { totalCount } }');
    expect(forged.errors?.[0]).toMatchObject({
      message: 'PersistedQueryMismatch',
      extensions: { code: expect.any(String) },
    });
    expect((await persisted(stack.gatewayUrl, hash)).errors?.[0]?.message).toBe('PersistedQueryNotFound');
  });
});

describe('allow-list (GATEWAY_PERSISTED_QUERIES=allow-list)', () => {
  it('runs the operations of a registered client manifest and nothing else', async () => {
    const manifest = JSON.parse(
      await readFile(new URL('../examples/client/generated/persisted-documents.json', import.meta.url), 'utf8'),
    ) as Record<string, string>;
    const log = createLogger('test', 'silent');
    const redis = await connectRedisLayer({ url: stack.redis.url, keyPrefix: stack.redis.keyPrefix, log, teardown });
    const store = createPersistedQueryStore(redis.client!, redis.keyPrefix, 0, log);
    const tampered = { ...manifest, [`sha256:${'0'.repeat(64)}`]: '{ users { totalCount } }' };
    const { registered, refused } = await registerManifest(store, tampered);
    expect({ registered, refused }).toEqual({ registered: 1, refused: [`sha256:${'0'.repeat(64)}`] });

    const [id] = Object.keys(manifest) as [string];
    const created = await graphqlRequest(
      stack.gatewayUrl,
      `mutation { createProduct(input: { sku: "ALLOWED-1", name: "Listed", price: { amount: 100, currency: "USD" }, stock: 1 }) { id } }`,
      {},
      { headers: asAdmin() },
    );
    const productId = created.data!.createProduct.id as string;
    const allowed = await persisted(allowList.url, id.replace(/^sha256:/, ''), undefined, { id: productId });
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data).toMatchObject({ product: { id: productId, sku: 'ALLOWED-1' } });

    const arbitrary = await graphqlRequest(allowList.url, '{ products(first: 1) { totalCount } }');
    expect(arbitrary.data ?? null).toBeNull();
    expect(arbitrary.errors?.[0]?.extensions?.code).toEqual(expect.any(String));
    const unregistered = await persisted(allowList.url, operationHash('{ users(first: 1) { totalCount } }'));
    expect(unregistered.data ?? null).toBeNull();
    expect(unregistered.errors?.[0]?.extensions?.code).toEqual(expect.any(String));
  });
});
