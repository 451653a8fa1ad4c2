import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { graphqlRequest, type GraphQLResponse } from '@polystore/common';
import { startFakeEntityOwner, startForTest, startWithFixtures, type FakeEntityOwner } from '@polystore/testing';
import { testRedis, testS3, type TestS3 } from '@polystore/testing/stores';
import { createStorageSubgraph, type StorageSubgraph } from '../../src/server.js';

export interface StorageTestBed {
  url: string;
  subgraph: StorageSubgraph;
  /** Its bucket, and a client of the test's own to look into it. */
  s3: TestS3;
  /** The stand-in sql-subgraph that says which products, users and orders exist (SQL_SUBGRAPH_URL). */
  owners: FakeEntityOwner;
  gql(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse>;
  /** The keys in the bucket under `prefix`, in S3's order. */
  objectKeys(prefix?: string): Promise<string[]>;
  dispose(): Promise<void>;
}

/**
 * The storage-subgraph on a bucket and Redis prefix of its own, with `ownerIds`
 * existing for its reference checks; `env` adds to or overrides its configuration.
 */
export function startStorageTestBed(
  ownerIds: Iterable<string>,
  env: Record<string, string> = {},
): Promise<StorageTestBed> {
  return startWithFixtures(async (own) => {
    const owners = own(await startFakeEntityOwner(ownerIds));
    const s3 = own(await testS3());
    const redis = own(await testRedis());
    const started = own(
      await startForTest(createStorageSubgraph, {
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: s3.bucket,
        REDIS_URL: redis.serviceUrls.storage,
        REDIS_KEY_PREFIX: redis.keyPrefix,
        SQL_SUBGRAPH_URL: owners.url,
        ...env,
      }),
    );
    const { url, server: subgraph } = started;
    return {
      url,
      subgraph,
      s3,
      owners,
      gql: (query, variables) => graphqlRequest(url, query, variables),
      objectKeys: async (prefix = '') =>
        ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }))).Contents ?? []).map(
          (object) => object.Key!,
        ),
    };
  });
}
