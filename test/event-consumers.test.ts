import { productPrefix, putProductImage } from '@polystore/storage-subgraph/seed';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import {
  asAdmin,
  eventually,
  graphqlRequest,
  sampleFile,
  signedSubgraphRequest,
  startedOncePerFile,
  upsertTestCategory,
} from '@polystore/testing';
import { startTestStack } from './support/stack.js';

/**
 * Cross-store consistency through events: deleting a product in PostgreSQL
 * writes ProductDeleted to the outbox; the relay puts it on the Redis stream;
 * the mongo and storage subgraphs' consumer groups remove its details and images.
 */
const stack = startedOncePerFile(startTestStack);

describe('when a product is deleted', () => {
  it('its details leave MongoDB and its images leave S3, and other products keep theirs', async () => {
    const gql = (query: string, variables?: Record<string, unknown>) =>
      graphqlRequest(stack.gatewayUrl, query, variables, { headers: asAdmin() });
    await upsertTestCategory(stack.gatewayUrl, 'misc');
    const ids: string[] = [];
    for (const sku of ['GONE-1', 'KEPT-1']) {
      const created = await gql(
        `mutation ($sku: String!) { createProduct(input: { sku: $sku, name: "P", price: { amount: 1, currency: "USD" } }) { id } }`,
        { sku },
      );
      const id = created.data!.createProduct.id as string;
      ids.push(id);
      await gql(
        `mutation ($id: ID!) { upsertProductDetails(input: { productId: $id, description: "d", category: "misc" }) { id } }`,
        { id },
      );
      await putProductImage(stack.storage, id, {
        filename: 'a.png',
        contentType: 'image/png',
        body: sampleFile('image/png', 'a'),
      });
      await putProductImage(stack.storage, id, {
        filename: 'b.png',
        contentType: 'image/png',
        body: sampleFile('image/png', 'b'),
      });
    }
    const [gone, kept] = ids as [string, string];
    const objectsOf = async (id: string) =>
      (await stack.s3.client.send(new ListObjectsV2Command({ Bucket: stack.s3.bucket, Prefix: productPrefix(id) })))
        .KeyCount ?? 0;
    expect(await objectsOf(gone)).toBe(2);

    // Read the images once so the list is in the cache; the deletion must drop it.
    const imagesOf = async (id: string) =>
      (
        await signedSubgraphRequest(
          stack.subgraphUrls.storage,
          `query ($id: ID!) { _entities(representations: [{ __typename: "Product", id: $id }]) { ... on Product { images { id } } } }`,
          { id },
        )
      ).data!._entities[0].images.length;
    expect(await imagesOf(gone)).toBe(2);

    const deleted = await gql(`mutation ($id: ID!) { deleteProduct(input: { id: $id }) { id } }`, { id: gone });
    expect(deleted.errors).toBeUndefined();

    await eventually(
      async () => (await stack.mongo.store.productDetails.countDocuments({ productId: gone })) === 0,
      'the details are gone',
      15_000,
    );
    await eventually(async () => (await objectsOf(gone)) === 0, 'the images are gone', 15_000);
    // The API view would be empty even with a stale list (HEAD finds nothing); check the cache itself.
    const redis = new Redis(stack.redis.url);
    const listKey = `${stack.redis.keyPrefix}s3:OwnerAssets:products/${gone}`;
    await eventually(async () => (await redis.exists(listKey)) === 0, 'the cached image list is dropped', 15_000);
    expect(await imagesOf(gone)).toBe(0);
    expect(await redis.exists(`${stack.redis.keyPrefix}s3:OwnerAssets:products/${kept}`)).toBe(0);
    await imagesOf(kept);
    expect(await redis.exists(`${stack.redis.keyPrefix}s3:OwnerAssets:products/${kept}`)).toBe(1);
    await redis.quit();
    expect(await stack.mongo.store.productDetails.countDocuments({ productId: kept })).toBe(1);
    expect(await objectsOf(kept)).toBe(2);
    const read = await gql(`query ($id: ID!) { product(id: $id) { details { category } images { filename } } }`, {
      id: kept,
    });
    expect(read.data!.product.details).toEqual({ category: 'misc' });
    expect(read.data!.product.images.map((image: { filename: string }) => image.filename).sort()).toEqual([
      'a.png',
      'b.png',
    ]);
  });
});
