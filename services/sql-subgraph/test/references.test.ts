import { randomUUID } from 'node:crypto';
import { freePort } from '@polystore/embedded';
import { seedCatalog, startSqlTestBed, type SqlTestBed } from './support/test-bed.js';
import { createReferenceChecker, requireReference, subgraphDefaultUrl, SUBGRAPHS } from '@polystore/common';

/** References to entities the sql-subgraph owns, checked by asking it, as the other subgraphs do. */
let bed: SqlTestBed;
beforeAll(async () => {
  bed = await startSqlTestBed();
});
afterAll(async () => {
  await bed?.dispose();
});

const checkerFor = (sql: string) =>
  createReferenceChecker({ subgraphUrls: { sql, mongo: undefined, storage: undefined }, timeoutMs: 2_000 });

describe('reference checks', () => {
  it('finds what exists at once, misses what does not, in one request per batch', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ stock: 1 }, { stock: 2 }]);
    await bed.clearCache();
    const before = bed.statements.length;
    const references = checkerFor(bed.url).loader();
    const answers = await Promise.all([
      references.load({ type: 'Product', id: productIds[0]! }),
      references.load({ type: 'Product', id: productIds[1]!.toUpperCase() }),
      references.load({ type: 'User', id: userId }),
      references.load({ type: 'Product', id: randomUUID() }),
      references.load({ type: 'User', id: 'not-a-uuid' }),
    ]);
    expect(answers).toEqual([true, true, true, false, false]);
    // One _entities request: one lookup per entity type it touched, not per id (the relay's polls aside).
    const lookups = bed.statements.slice(before).filter(({ sql }) => /FROM (users|products) WHERE id = ANY/.test(sql));
    expect(lookups).toHaveLength(2);
  });

  it('says NOT_FOUND for a missing entity, naming its type and id', async () => {
    const id = randomUUID();
    const failure = await requireReference(checkerFor(bed.url).loader(), 'Product', id).catch((err: unknown) => err);
    expect(failure).toMatchObject({ message: `product ${id} does not exist`, extensions: { code: 'NOT_FOUND' } });
  });

  it('says SERVICE_UNAVAILABLE, within its timeout, when the owner cannot be reached', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}/graphql`;
    const failure = await checkerFor(nobody)
      .loader()
      .load({ type: 'Product', id: randomUUID() })
      .catch((err: unknown) => err);
    expect(failure).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
  });

  it('asks the owner named by the registry, at its default URL unless configured', () => {
    const sql = SUBGRAPHS.find((subgraph) => subgraph.name === 'sql')!;
    expect(sql.owns).toEqual(expect.arrayContaining(['User', 'Product', 'Order']));
    expect(subgraphDefaultUrl(sql)).toBe('http://127.0.0.1:4001/graphql');
  });
});
