import { createHash } from 'node:crypto';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { BSON, MongoClient } from 'mongodb';
import pg from 'pg';

/** One checksum per table, collection and bucket, to prove a run changed nothing stored. */
export type StoreChecksums = Record<string, string>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every table of the database's public schema, each row as text, in a stable order. */
async function postgresChecksums(url: string): Promise<StoreChecksums> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    const sums: StoreChecksums = {};
    for (const { name } of tables) {
      const { rows } = await client.query<{ sum: string | null; count: string }>(
        `SELECT md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS sum, count(*) AS count FROM ${name} t`,
      );
      sums[`postgres:${name}`] = `${rows[0]!.count}:${rows[0]!.sum ?? ''}`;
    }
    return sums;
  } finally {
    await client.end();
  }
}

/** Every collection of the database, each document as canonical Extended JSON, in `_id` order. */
async function mongoChecksums(url: string, database: string): Promise<StoreChecksums> {
  const client = await MongoClient.connect(url);
  try {
    const db = client.db(database);
    const sums: StoreChecksums = {};
    const collections = (await db.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => name).sort();
    for (const name of collections) {
      const documents = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
      sums[`mongo:${name}`] =
        `${documents.length}:${sha256(documents.map((doc) => BSON.EJSON.stringify(doc)).join('\n'))}`;
    }
    return sums;
  } finally {
    await client.close();
  }
}

/** Every object of the bucket: key, size and ETag (the content's hash). */
async function s3Checksums(client: S3Client, bucket: string): Promise<StoreChecksums> {
  const objects: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of listed.Contents ?? []) objects.push(`${object.Key} ${object.Size} ${object.ETag}`);
    token = listed.NextContinuationToken;
    if (!token) break;
  }
  return { [`s3:${bucket}`]: `${objects.length}:${sha256(objects.sort().join('\n'))}` };
}

export interface StoreLocations {
  postgresUrl: string;
  mongo: { url: string; database: string };
  s3: { client: S3Client; bucket: string };
}

/** Checksums of everything the stores of record hold (Redis holds caches and counters, rebuilt by themselves). */
export async function storeChecksums({ postgresUrl, mongo, s3 }: StoreLocations): Promise<StoreChecksums> {
  const [postgres, documents, objects] = await Promise.all([
    postgresChecksums(postgresUrl),
    mongoChecksums(mongo.url, mongo.database),
    s3Checksums(s3.client, s3.bucket),
  ]);
  return { ...postgres, ...documents, ...objects };
}
