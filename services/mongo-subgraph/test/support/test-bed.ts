import type { CommandStartedEvent } from 'mongodb';
import { graphqlRequest, type GraphQLResponse } from '@polystore/common';
import { createMongoSubgraph, type MongoSubgraph } from '../../src/server.js';
import { startForTest, startWithFixtures } from '@polystore/testing';
import { seedCatalog, startSqlTestBed, type SqlTestBed } from '@polystore/sql-subgraph/testing';
import { testMongo } from '@polystore/testing/stores';

export interface MongoTestBed {
  url: string;
  subgraph: MongoSubgraph;
  /** The sql-subgraph it asks about products and users, on the same Redis prefix (so events reach it). */
  sql: SqlTestBed;
  /** The variables it was started with, to start another replica on the same stores. */
  env: Record<string, string>;
  /** Every MongoDB command the subgraph sent (driver command monitoring), for tests that count them. */
  commands: CommandStartedEvent[];
  gql(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse>;
  /** Creates a user and `count` products in PostgreSQL through the sql-subgraph. */
  seed(count: number): Promise<{ userId: string; productIds: string[] }>;
  /** Creates one more user; returns its id. */
  createUser(): Promise<string>;
  dispose(): Promise<void>;
}

let users = 0;

/** The mongo-subgraph on its own database, with a sql-subgraph as the owner of products and users. */
export function startMongoTestBed(env: Record<string, string> = {}): Promise<MongoTestBed> {
  return startWithFixtures(async (own) => {
    const sql = own(await startSqlTestBed({ EVENT_RETRY_AFTER_MS: '500' }));
    const mongo = own(await testMongo());
    const serviceEnv = {
      MONGO_URL: mongo.url,
      MONGO_DATABASE: mongo.database,
      REDIS_URL: sql.redisServiceUrls.mongo,
      REDIS_KEY_PREFIX: sql.keyPrefix,
      SQL_SUBGRAPH_URL: sql.url,
      EVENT_RETRY_AFTER_MS: '500',
      ...env,
    };
    const started = own(await startForTest(createMongoSubgraph, serviceEnv));
    // Its start-up catch-up is done before a test counts commands or reads documents.
    await started.server.searchCatchUp;
    const commands: CommandStartedEvent[] = [];
    started.server.store.client.on('commandStarted', (event) => commands.push(event));
    const { url, server: subgraph } = started;
    return {
      url,
      subgraph,
      sql,
      env: serviceEnv,
      commands,
      gql: (query, variables) => graphqlRequest(url, query, variables),
      seed: (count) =>
        seedCatalog(
          sql,
          Array.from({ length: count }, () => ({ stock: 10 })),
        ),
      async createUser() {
        const created = await sql.gql(`mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
          input: { email: `reviewer-${Date.now().toString(36)}-${users++}@example.com`, name: `Reviewer ${users}` },
        });
        if (created.errors) throw new Error(JSON.stringify(created.errors));
        return created.data!.createUser.id as string;
      },
    };
  });
}
