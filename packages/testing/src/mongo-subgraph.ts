import type { CommandStartedEvent } from 'mongodb';
import { graphqlRequest, type GraphQLResponse, type Teardown } from '@polystore/common';
import { createMongoSubgraph, type MongoSubgraph } from '@polystore/mongo-subgraph';
import { startForTest } from './service.js';
import { seedCatalog, startSqlTestBed, type SqlTestBed } from './sql-subgraph.js';
import { testMongo, type Disposable } from './stores/index.js';

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
export async function startMongoTestBed(env: Record<string, string> = {}): Promise<MongoTestBed> {
  const fixtures: Disposable[] = [];
  let teardown: Teardown | undefined;
  const dispose = async () => {
    await teardown?.close();
    for (const fixture of fixtures.reverse()) await fixture.dispose();
  };
  try {
    const sql = await startSqlTestBed({ EVENT_RETRY_AFTER_MS: '500' });
    fixtures.push(sql);
    const mongo = await testMongo();
    fixtures.push(mongo);
    const serviceEnv = {
      MONGO_URL: mongo.url,
      MONGO_DATABASE: mongo.database,
      REDIS_URL: sql.redisServiceUrls.mongo,
      REDIS_KEY_PREFIX: sql.keyPrefix,
      SQL_SUBGRAPH_URL: sql.url,
      EVENT_RETRY_AFTER_MS: '500',
      ...env,
    };
    const started = await startForTest(createMongoSubgraph, serviceEnv);
    teardown = started.teardown;
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
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
