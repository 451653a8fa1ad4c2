import type { CommandStartedEvent, Document } from 'mongodb';
import { loadConfig, Teardown } from '@polystore/common';
import { testMongo } from '@polystore/testing/stores';
import { eventually } from '@polystore/testing';
import { atomically } from '../src/store/atomic.js';
import type { MongoStore } from '../src/store/collections.js';
import { connectMongo } from '../src/store/connect.js';
import { deploymentOf, detectDeployment } from '../src/store/deployment.js';
import { startMongoTestBed, type MongoTestBed } from './support/test-bed.js';

/**
 * Replica set settings and transactions, on the server the tests have: the
 * embedded one (or MONGO_URL). What only a real replica set shows (a
 * rollback, a failover, secondaries serving search) is not run here:
 * docs/mongo.md, Replica sets, says so.
 */
const embedded = !process.env.MONGO_URL;

/** A store connected with these settings; MONGO_URL gets `urlOptions` appended. */
async function connectWith(env: Record<string, string>, urlOptions = '') {
  const mongo = await testMongo();
  const teardown = new Teardown();
  const config = loadConfig({ MONGO_URL: mongo.url + urlOptions, MONGO_DATABASE: mongo.database, ...env });
  const store = await connectMongo(config.mongo, teardown);
  const commands: CommandStartedEvent[] = [];
  store.client.on('commandStarted', (event) => commands.push(event));
  const dispose = async () => {
    await teardown.close();
    await mongo.dispose();
  };
  return { store, commands, dispose };
}

const ADD_REVIEW = `mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }`;
const DELETE_REVIEW = `mutation ($input: DeleteReviewInput!) { deleteReview(input: $input) }`;

describe('which deployment the server reports in hello', () => {
  it('tells a replica set member, a mongos and a standalone apart, and only the first two run transactions', () => {
    // Replies shaped like MongoDB 7's (trimmed to the fields read); not from a real server, none runs here.
    const common = { ok: 1, maxWireVersion: 21, logicalSessionTimeoutMinutes: 30, isWritablePrimary: true };
    expect(deploymentOf({ ...common, setName: 'rs0', hosts: ['a:27017', 'b:27017'], primary: 'a:27017' })).toEqual({
      deployment: 'replica set',
      transactions: true,
    });
    expect(deploymentOf({ ...common, msg: 'isdbgrid' })).toEqual({ deployment: 'mongos', transactions: true });
    expect(deploymentOf(common)).toEqual({ deployment: 'standalone', transactions: false });
    // Too old for transactions (replica sets from wire version 7, mongos from 8), or no sessions.
    expect(deploymentOf({ ...common, setName: 'rs0', maxWireVersion: 6 }).transactions).toBe(false);
    expect(deploymentOf({ ...common, msg: 'isdbgrid', maxWireVersion: 7 }).transactions).toBe(false);
    expect(deploymentOf({ ...common, setName: 'rs0', logicalSessionTimeoutMinutes: undefined }).transactions).toBe(
      false,
    );
  });

  (embedded ? it : it.skip)(
    'finds the embedded server a standalone, so its writes run statement by statement',
    async () => {
      const { store, dispose } = await connectWith({});
      try {
        const hello: Document = await store.db.admin().command({ hello: 1 });
        expect(hello.setName).toBeUndefined();
        expect(hello.msg).toBeUndefined();
        expect(await detectDeployment(store.db)).toEqual({ deployment: 'standalone', transactions: false });
        expect(store.capabilities.transactions).toBe(false);
      } finally {
        await dispose();
      }
    },
  );

  (embedded ? it : it.skip)(
    'would keep the writes of an aborted transaction on the embedded server: why acceptance decides nothing',
    async () => {
      const { store, dispose } = await connectWith({});
      const session = store.client.startSession();
      try {
        await expect(
          session.withTransaction(async () => {
            await store.backfills.insertOne({ name: 'aborted', after: null, updatedAt: new Date() } as never, {
              session,
            });
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        // A real transaction leaves nothing; if this starts failing, the embedded server rolls back now.
        expect(await store.backfills.countDocuments({ name: 'aborted' })).toBe(1);
      } finally {
        await session.endSession();
        await dispose();
      }
    },
  );
});

describe('the driver settings', () => {
  it('write concern, retryable writes and reads on the primary win over the URL; search reads where MONGO_READ_PREFERENCE says', async () => {
    const url = process.env.MONGO_URL ?? '';
    const separator = url.includes('?') ? '&' : url.endsWith('/') ? '?' : '/?';
    const { store, dispose } = await connectWith(
      { MONGO_READ_PREFERENCE: 'secondaryPreferred', MONGO_WRITE_CONCERN_TIMEOUT_MS: '2500' },
      `${separator}w=1&readPreference=secondary&retryWrites=false`,
    );
    try {
      expect(store.client.options.writeConcern).toMatchObject({ w: 'majority', wtimeoutMS: 2500 });
      expect(store.client.options.retryWrites).toBe(true);
      expect(store.client.options.retryReads).toBe(true);
      expect(store.client.options.readPreference.mode).toBe('primary');
      // Every collection the writes go through inherits them.
      for (const collection of [store.reviews, store.productDetails, store.categories, store.backfills]) {
        expect(collection.writeConcern).toMatchObject({ w: 'majority', wtimeoutMS: 2500 });
        expect(collection.readPreference?.mode).toBe('primary');
      }
      expect(store.productDetailsForSearch.readPreference?.mode).toBe('secondaryPreferred');
    } finally {
      await dispose();
    }
  });

  it('sends a count of members as a number', async () => {
    const { store, dispose } = await connectWith({ MONGO_WRITE_CONCERN: '1', MONGO_WRITE_CONCERN_TIMEOUT_MS: '0' });
    try {
      expect(store.reviews.writeConcern?.w).toBe(1);
    } finally {
      await dispose();
    }
  });

  it('refuses a write concern or read preference it does not know', () => {
    expect(() => loadConfig({ MONGO_WRITE_CONCERN: '0' })).toThrow(/MONGO_WRITE_CONCERN must be one of majority/);
    expect(() => loadConfig({ MONGO_READ_PREFERENCE: 'secondaries' })).toThrow(/MONGO_READ_PREFERENCE/);
  });
});

describe('review writes with write concern majority (the default)', () => {
  let bed: MongoTestBed;
  let productId: string;
  let userId: string;

  beforeAll(async () => {
    bed = await startMongoTestBed({ MONGO_READ_PREFERENCE: 'secondaryPreferred' });
    const seeded = await bed.seed(1);
    userId = seeded.userId;
    productId = seeded.productIds[0]!;
    // The product's search document comes with its ProductCreated event: until then a rating copy has nowhere to go.
    await eventually(
      async () => (await bed.subgraph.store.productDetails.findOne({ productId })) !== null,
      "the product's search document",
    );
  });
  afterAll(() => bed?.dispose());

  const ratingCopy = async () =>
    (await bed.subgraph.store.productDetails.findOne({ productId }, { projection: { _id: 0, rating: 1 } }))?.rating;
  const sent = (name: string, collection?: string) =>
    bed.commands.filter((event) => event.commandName === name && (!collection || event.command[name] === collection));

  it('adds and deletes a review and its rating copy, each write acknowledged by a majority', async () => {
    await bed.subgraph.searchCatchUp;
    bed.commands.length = 0;
    const added = await bed.gql(ADD_REVIEW, { input: { productId, userId, rating: 4, title: 'Good', body: '' } });
    expect(added.errors).toBeUndefined();
    expect(await ratingCopy()).toEqual({ average: 4, count: 1 });
    const [insert] = sent('insert', 'reviews');
    expect(insert?.command.writeConcern).toMatchObject({ w: 'majority' });
    // The rating copy's write (a bulk update) asks for the same.
    expect(sent('update', 'product_details')[0]?.command.writeConcern).toMatchObject({ w: 'majority' });

    const deleted = await bed.gql(DELETE_REVIEW, { input: { id: added.data!.addReview.id } });
    expect(deleted.errors).toBeUndefined();
    expect(await ratingCopy()).toEqual({ average: 0, count: 0 });
  });

  (embedded ? it : it.skip)('writes statement by statement on the standalone: no transaction is started', async () => {
    bed.commands.length = 0;
    const userId2 = await bed.createUser();
    const added = await bed.gql(ADD_REVIEW, {
      input: { productId, userId: userId2, rating: 2, title: 'Meh', body: '' },
    });
    expect(added.errors).toBeUndefined();
    expect(bed.commands.some((event) => event.command.startTransaction || event.command.txnNumber)).toBe(false);
    expect(sent('commitTransaction')).toHaveLength(0);
  });

  it('where the server runs transactions, sends every statement of a review write in one', async () => {
    // The embedded server accepts transactions (it only cannot roll them back), so this shows
    // that each statement carries the session; the atomicity itself needs a real replica set.
    const store: MongoStore = bed.subgraph.store;
    const detected = store.capabilities.transactions;
    store.capabilities.transactions = true;
    try {
      bed.commands.length = 0;
      const reviewer = await bed.createUser();
      const added = await bed.gql(ADD_REVIEW, {
        input: { productId, userId: reviewer, rating: 5, title: 'Top', body: '' },
      });
      expect(added.errors).toBeUndefined();
      const statements = [sent('insert', 'reviews'), sent('aggregate', 'reviews'), sent('update', 'product_details')];
      const [commit] = sent('commitTransaction');
      expect(commit?.command.writeConcern).toMatchObject({ w: 'majority' });
      for (const [statement] of statements) {
        expect(statement?.command.txnNumber).toEqual(commit!.command.txnNumber);
        expect(statement?.command.lsid).toEqual(commit!.command.lsid);
        expect(statement?.command.autocommit).toBe(false);
        // Inside a transaction only the commit carries the write concern.
        expect(statement?.command.writeConcern).toBeUndefined();
      }
      expect(statements[0]![0]!.command.startTransaction).toBe(true);
      expect(statements[0]![0]!.command.readConcern).toEqual({ level: 'snapshot' });
      expect(await ratingCopy()).toEqual({ average: 3.5, count: 2 });

      // The same for a write whose statements are all deletes and updates.
      const ran = await atomically(store, async (session) => {
        await store.backfills.deleteMany({ name: 'none' }, { session });
        return session?.inTransaction();
      });
      expect(ran).toBe(true);
    } finally {
      store.capabilities.transactions = detected;
    }
  });

  it('answers search with MONGO_READ_PREFERENCE=secondaryPreferred (a standalone serves every read)', async () => {
    const answer = await bed.gql(`{ searchProducts(text: "product", first: 5) { totalCount edges { node { id } } } }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.searchProducts.edges.map((edge: { node: { id: string } }) => edge.node.id)).toContain(
      productId,
    );
  });
});
