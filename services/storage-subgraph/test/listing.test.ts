import { randomUUID } from 'node:crypto';
import { sampleFile } from '@polystore/testing';
import { putProductImage } from '../src/store/server-writes.js';
import { startStorageTestBed, type StorageTestBed } from './support/test-bed.js';
import { IMAGES, UPLOAD_TEST_ENV, uploadsThrough } from './support/uploads.js';

/** Lists of images: one S3 listing per product and request, then Redis, dropped when they change. */

/** S3 commands the service sent, by name. */
const s3Calls: string[] = [];

let bed: StorageTestBed;
beforeAll(async () => {
  bed = await startStorageTestBed([], UPLOAD_TEST_ENV);
  bed.subgraph.s3.client.middlewareStack.add(
    (next, context) => (args) => {
      s3Calls.push(context.commandName as string);
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
});
afterAll(async () => {
  await bed?.dispose();
});

const { upload, complete } = uploadsThrough(() => bed);

describe('listing', () => {
  it.each([10, 100])(
    'lists the images of %i products, half of them without any, with one S3 call per distinct product, then none',
    async (count) => {
      const products = Array.from({ length: count }, () => randomUUID());
      const withImages = products.filter((_, i) => i % 2 === 0);
      for (const productId of withImages) {
        for (const name of ['a.png', 'b.png']) {
          await putProductImage(bed.subgraph, productId, {
            filename: name,
            contentType: 'image/png',
            body: sampleFile('image/png', name),
          });
        }
      }
      // Every product asked for twice in one request: de-duplicated per request.
      const representations = [...products, ...products].map((id) => ({ __typename: 'Product', id }));
      const expected = [...products, ...products].map((id) => (withImages.includes(id) ? 2 : 0));
      s3Calls.length = 0;
      const cold = await bed.gql(IMAGES, { representations });
      expect(cold.errors).toBeUndefined();
      expect(cold.data!._entities.map((p: { images: unknown[] }) => p.images.length)).toEqual(expected);
      expect(s3Calls).toEqual(Array(count).fill('ListObjectsV2Command'));
      // Warm: from Redis, empty lists included.
      s3Calls.length = 0;
      const warm = await bed.gql(IMAGES, { representations });
      expect(warm.data).toEqual(cold.data);
      expect(s3Calls).toEqual([]);
    },
  );

  it('drops a cached list, empty ones included, when an upload completes or an asset is deleted', async () => {
    const productId = randomUUID();
    bed.owners.existing.add(productId);
    const images = async () =>
      (await bed.gql(IMAGES, { representations: [{ __typename: 'Product', id: productId }] })).data!._entities[0]
        .images as { id: string }[];
    expect(await images()).toEqual([]); // cached empty
    const ticket = await upload('PRODUCT', productId, 'new.png', 'image/png', sampleFile('image/png', 'new'));
    expect(await images()).toEqual([]); // pending: still hidden
    expect((await complete(ticket.assetId)).errors).toBeUndefined();
    expect((await images()).map((image) => image.id)).toEqual([ticket.assetId]);
    s3Calls.length = 0;
    await images();
    expect(s3Calls).toEqual([]); // the new list is cached
    const deleted = await bed.gql(`mutation ($id: ID!) { deleteAsset(input: { assetId: $id }) { assetId } }`, {
      id: ticket.assetId,
    });
    expect(deleted.errors).toBeUndefined();
    expect(await images()).toEqual([]);
  });
});
