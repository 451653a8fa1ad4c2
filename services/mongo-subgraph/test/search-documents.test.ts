import { randomUUID } from 'node:crypto';
import { eventually, graphqlRequest, startForTest } from '@polystore/testing';
import { startMongoTestBed, type MongoTestBed } from './support/test-bed.js';
import { seedCatalog } from '@polystore/sql-subgraph/testing';
import { createProductCopies, type ProductCopy } from '../src/product-copy.js';
import { catchUpSearchDocuments, SEARCH_CATCH_UP } from '../src/search-catch-up.js';
import { dropDocumentsOfGoneProducts, writeProductCopies } from '../src/search-documents.js';
import { createMongoSubgraph } from '../src/server.js';

/** Every product is searchable: one search document per product, kept from product events and caught up at start-up. */
let bed: MongoTestBed;
beforeAll(async () => {
  bed = await startMongoTestBed();
});
afterAll(() => bed?.dispose());

const SEARCH = `query ($text: String) { searchProducts(text: $text, first: 100) { totalCount edges { node { id } } } }`;
const found = async (text: string, url = bed.url): Promise<string[]> => {
  const answer = await graphqlRequest(url, SEARCH, { text });
  expect(answer.errors).toBeUndefined();
  return answer.data!.searchProducts.edges.map((edge: { node: { id: string } }) => edge.node.id);
};
const ownerCopies = () =>
  createProductCopies({ subgraphUrls: { sql: bed.sql.url, mongo: undefined, storage: undefined } });

async function createProduct(name: string): Promise<{ id: string; sku: string }> {
  const sku = `SD-${randomUUID().slice(0, 8)}`;
  const created = await bed.sql.gql(`mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }`, {
    input: { sku, name, price: { amount: 100, currency: 'EUR' }, stock: 1 },
  });
  expect(created.errors).toBeUndefined();
  return { id: created.data!.createProduct.id as string, sku };
}

describe('search documents from product events', () => {
  it('finds a product without details by a word of its name and by its sku, then its new name only, then nothing once deleted', async () => {
    const { id, sku } = await createProduct('Quokka lantern');
    await eventually(async () => (await found('quokka')).includes(id), 'the new product in search');
    expect(await found(sku.toLowerCase())).toEqual([id]);
    const details = await bed.gql(`query ($id: ID!) { productDetails(productId: $id) { description } }`, { id });
    expect(details.data!.productDetails).toBeNull();

    const renamed = await bed.sql.gql(
      `mutation ($id: ID!) { updateProduct(input: { id: $id, name: "Wombat lantern" }) { id } }`,
      {
        id,
      },
    );
    expect(renamed.errors).toBeUndefined();
    await eventually(async () => (await found('wombat')).includes(id), 'the new name in search');
    expect(await found('quokka')).toEqual([]);

    const deleted = await bed.sql.gql(`mutation ($id: ID!) { deleteProduct(input: { id: $id }) { id } }`, { id });
    expect(deleted.errors).toBeUndefined();
    await eventually(async () => (await found('wombat')).length === 0, 'the deleted product gone from search');
    expect(await bed.subgraph.store.productDetails.countDocuments({ productId: id })).toBe(0);
  });

  it('never lets an older copy overwrite a newer one, whatever order events are handled in', async () => {
    const { id } = await createProduct('Numbat kettle');
    const [current] = await ownerCopies().read([id]);
    const older: ProductCopy = {
      ...current!,
      name: 'Old name',
      productUpdatedAt: new Date(current!.productUpdatedAt.getTime() - 60_000),
    };
    await writeProductCopies(bed.subgraph.store, [current!]);
    // A late or repeated event that read the product before its last change.
    await writeProductCopies(bed.subgraph.store, [older]);
    const stored = await bed.subgraph.store.productDetails.findOne({ productId: id });
    expect(stored).toMatchObject({ name: 'Numbat kettle', productUpdatedAt: current!.productUpdatedAt });
    expect(await bed.subgraph.store.productDetails.countDocuments({ productId: id })).toBe(1);
  });

  it("removes a document written for a product deleted after the owner's answer", async () => {
    const { id } = await createProduct('Bilby stove');
    const documents = () => bed.subgraph.store.productDetails.countDocuments({ productId: id });
    // Its ProductCreated handled first, so no handler of it is still under way.
    await eventually(async () => (await documents()) === 1, 'the ProductCreated handler');
    const [copy] = await ownerCopies().read([id]);
    await bed.sql.gql(`mutation ($id: ID!) { deleteProduct(input: { id: $id }) { id } }`, { id });
    // Wait until the ProductDeleted handler has run, so this write comes after it.
    await eventually(
      async () => (await bed.subgraph.store.productDetails.countDocuments({ productId: id })) === 0,
      'the ProductDeleted handler',
    );
    const created = await writeProductCopies(bed.subgraph.store, [copy!]);
    expect(created).toEqual([id]);
    expect(await dropDocumentsOfGoneProducts(bed.subgraph.store, ownerCopies(), created)).toEqual([id]);
    expect(await bed.subgraph.store.productDetails.countDocuments({ productId: id })).toBe(0);
  });
});

describe('catch-up at start-up', () => {
  it('gives products that existed before the service (and whose events it never sees) a search document, once', async () => {
    const { productIds } = await seedCatalog(bed.sql, [{ stock: 1 }, { stock: 2 }]);
    // A replica on a fresh database and a Redis prefix no event reaches: only the catch-up can find them.
    const database = `${bed.env.MONGO_DATABASE}_late`;
    const late = await startForTest(createMongoSubgraph, {
      ...bed.env,
      MONGO_DATABASE: database,
      REDIS_KEY_PREFIX: `${bed.env.REDIS_KEY_PREFIX}late:`,
    });
    try {
      await late.server.searchCatchUp;
      const store = late.server.store;
      expect(await store.productDetails.countDocuments({ productId: { $in: productIds } })).toBe(2);
      expect(await found('product 1', late.url)).toContain(productIds[1]);
      const progress = await store.backfills.findOne({ name: SEARCH_CATCH_UP });
      expect(progress?.completedAt).toBeInstanceOf(Date);
      // Complete: it does not run again.
      await store.productDetails.deleteMany({});
      expect(await catchUpSearchDocuments(store, ownerCopies(), new AbortController().signal)).toEqual({
        products: 0,
        complete: true,
      });
      await store.db.dropDatabase();
    } finally {
      await late.teardown.close();
    }
  });
});
