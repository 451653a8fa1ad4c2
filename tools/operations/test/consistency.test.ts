import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createLogger, type Env } from '@polystore/common';
import { reviewIdOf, reviewObjectId } from '@polystore/mongo-subgraph/seed';
import { startedOncePerFile } from '@polystore/testing';
import { checkConsistency, FINDINGS, type LEFTOVERS, type ConsistencyReport, type FindingKind } from '../src/index.js';
import { startCheckedStack } from './support/checked-stack.js';
import { runCli } from './support/run-cli.js';

/**
 * The consistency checker against the real stores of a seeded stack: clean
 * at first, then one inconsistency of each kind written straight into a store
 * (as a bug, a partial restore or an operator's console would), each reported
 * with its id; and `npm run check-consistency`'s exit codes.
 */
const stack = startedOncePerFile(startCheckedStack, 120_000);
const log = createLogger('consistency-test', 'silent');
const check = () => checkConsistency({ config: stack.config, log, samples: 20 });

const runConsistencyCli = (env: Env) => runCli('check-consistency-cli', ['--json'], env);

const counts = (tallies: Record<string, { count: number }>) =>
  Object.fromEntries(Object.entries(tallies).flatMap(([kind, { count }]) => (count > 0 ? [[kind, count]] : [])));

describe('a seeded stack', () => {
  it('is reported clean: every reference resolves, in both directions', async () => {
    const report = await check();
    expect(counts(report.findings)).toEqual({});
    expect(counts(report.leftovers)).toEqual({});
    expect(report.clean).toBe(true);
    // Three products and their documents, two reviews; two images, an avatar, an attachment,
    // and the marker and object of an upload still pending (not an asset, so no finding).
    expect(report.scanned).toEqual({ products: 3, documents: 3, reviews: 2, objects: 5, pendingUploads: 1 });
    expect(report.inFlight).toEqual({
      unpublishedEvents: 0,
      unappliedEvents: { 'mongo-subgraph': 0, 'storage-subgraph': 0 },
    });
  });

  it('makes npm run check-consistency exit 0', async () => {
    const { code, stdout } = await runConsistencyCli(stack.storeEnv);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as ConsistencyReport).clean).toBe(true);
  });
});

describe('inconsistencies written straight into a store', () => {
  const put = (key: string, body = 'x') =>
    stack.s3.client.send(new PutObjectCommand({ Bucket: stack.s3.bucket, Key: key, Body: body }));
  const made = {} as Record<FindingKind, string[]>;
  const left = {} as Record<keyof typeof LEFTOVERS, string[]>;

  beforeAll(async () => {
    const { sql, mongo, redis, seeded } = stack;
    const [first, second, third] = seeded.productIds as [string, string, string];
    // PostgreSQL: the second product's row deleted with its triggers off, so no ProductDeleted
    // reaches MongoDB or S3: its document, review and image are left pointing at nothing.
    await sql.sql(
      `BEGIN; ALTER TABLE products DISABLE TRIGGER USER; DELETE FROM products WHERE id = '${second}';
       ALTER TABLE products ENABLE TRIGGER USER; COMMIT;`,
    );
    made.documentsOfMissingProducts = [second];
    made.reviewsOfMissingProducts = [seeded.reviewIds[1]!];
    const listed = await stack.s3.client.send(
      new ListObjectsV2Command({ Bucket: stack.s3.bucket, Prefix: `products/${second}/` }),
    );
    const image = listed.Contents!.find((object) => object.Key!.endsWith('/front.png'))!.Key!;
    // MongoDB: the third product's document gone; the first one's name copy changed; a review
    // by a user who does not exist (so the first product's rating copy is stale too); the
    // category of the first product's details deleted.
    await mongo.store.productDetails.deleteOne({ productId: third });
    made.productsWithoutSearchDocument = [third];
    await mongo.store.productDetails.updateOne({ productId: first }, { $set: { name: 'Renamed behind its back' } });
    made.staleSearchCopies = [first];
    const stranger = randomUUID();
    const reviewId = reviewIdOf(first, stranger);
    const now = new Date();
    await mongo.store.reviews.insertOne({
      _id: reviewObjectId(reviewId),
      id: reviewId,
      productId: first,
      userId: stranger,
      rating: 1,
      title: 'Who?',
      body: 'Nobody.',
      createdAt: now,
      updatedAt: now,
    });
    made.reviewsByMissingUsers = [reviewId];
    made.staleRatingCopies = [first];
    await mongo.store.categories.deleteOne({ slug: 'gadgets' });
    made.detailsInMissingCategories = [first];
    // S3: objects of owners that do not exist, a marker without its record, a key outside the scheme.
    const orphanImage = `products/${randomUUID()}/${randomUUID()}/ghost.png`;
    const avatar = `users/${randomUUID()}/${randomUUID()}/me.png`;
    const attachment = `orders/${randomUUID()}/${randomUUID()}/invoice.pdf`;
    const marker = `products/${first}/${randomUUID()}.pending`;
    for (const key of [orphanImage, avatar, attachment, marker, 'stray.txt']) await put(key);
    made.imagesOfMissingProducts = [image, orphanImage];
    made.avatarsOfMissingUsers = [avatar];
    made.attachmentsOfMissingOrders = [attachment];
    made.markersWithoutUpload = [marker];
    made.objectsOutsideKeyScheme = ['stray.txt'];
    // Redis: an event a consumer gave up on.
    await redis.xadd(`${sql.keyPrefix}events:dead`, '*', 'group', 'mongo-subgraph', 'entry', '1-0', 'reason', 'boom');
    made.deadLetters = ['mongo-subgraph: boom'];
    // Leftovers: an upload past its expiry (record and marker), bytes without a record, garbage under pending/.
    const expiredKey = `products/${first}/${randomUUID()}/late.png`;
    const uploadId = expiredKey.split('/')[2]!;
    const expiredAt = new Date(Date.now() - 60_000).toISOString();
    await put(
      `pending/products/${first}/${uploadId}`,
      JSON.stringify({ key: expiredKey, contentType: 'image/png', size: 10, expiresAt: expiredAt }),
    );
    await put(`products/${first}/${uploadId}.pending`, '{}');
    left.expiredUploads = [expiredKey];
    left.bytesWithoutUpload = [`pending/products/${first}/${randomUUID()}.upload`];
    await put(left.bytesWithoutUpload[0]!);
    left.unreadableUploadRecords = ['pending/not-a-record'];
    await put('pending/not-a-record', 'not json');
  });

  it('reports every kind, each with the ids it was made with', async () => {
    const report = await check();
    expect(report.clean).toBe(false);
    expect(Object.keys(made).sort()).toEqual(Object.keys(FINDINGS).sort());
    for (const [kind, ids] of Object.entries(made)) {
      const tally = report.findings[kind as FindingKind];
      expect({ kind, count: tally.count, samples: [...tally.samples].sort() }).toEqual({
        kind,
        count: ids.length,
        samples: [...ids].sort(),
      });
    }
    for (const [kind, ids] of Object.entries(left)) {
      expect({ kind, samples: report.leftovers[kind as keyof typeof LEFTOVERS].samples }).toEqual({
        kind,
        samples: ids,
      });
    }
  });

  it('makes npm run check-consistency exit 1 with the same report', async () => {
    const { code, stdout } = await runConsistencyCli(stack.storeEnv);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as ConsistencyReport;
    expect(counts(report.findings)).toEqual(
      Object.fromEntries(Object.entries(made).map(([kind, ids]) => [kind, ids.length])),
    );
  });

  it('exits 2 with one line naming the store when a store cannot be reached', async () => {
    const { code, stdout, stderr } = await runConsistencyCli({
      ...stack.storeEnv,
      MONGO_URL: 'mongodb://127.0.0.1:9/',
      MONGO_SERVER_SELECTION_TIMEOUT_MS: '300',
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim()).toMatch(/^check-consistency: MongoDB cannot be reached: .+$/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
