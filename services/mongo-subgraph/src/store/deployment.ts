import type { Db, Document } from 'mongodb';

/** What kind of deployment the service is connected to, as the server describes itself. */
export type Deployment = 'standalone' | 'replica set' | 'mongos';

/** What `hello` says about the deployment and whether it runs multi-document transactions. */
export interface DeploymentFacts {
  deployment: Deployment;
  /** Transactions that commit or roll back as a whole: a replica set (4.0+) or mongos (4.2+), with sessions. */
  transactions: boolean;
}

// Wire versions of the first servers with transactions (MongoDB 4.0 on replica sets, 4.2 through mongos).
const REPLICA_SET_TRANSACTIONS_WIRE_VERSION = 7;
const SHARDED_TRANSACTIONS_WIRE_VERSION = 8;

/**
 * Reads a `hello` reply: `setName` names a replica set member, `msg:
 * 'isdbgrid'` a mongos router, anything else is a standalone. Whether the
 * server *accepts* a transaction says nothing: the embedded server accepts
 * `startTransaction` and `abortTransaction` but keeps every write.
 */
export function deploymentOf(hello: Document): DeploymentFacts {
  const deployment: Deployment =
    hello.msg === 'isdbgrid' ? 'mongos' : typeof hello.setName === 'string' ? 'replica set' : 'standalone';
  const sessions = typeof hello.logicalSessionTimeoutMinutes === 'number';
  const wireVersion = typeof hello.maxWireVersion === 'number' ? hello.maxWireVersion : 0;
  const transactions =
    sessions &&
    ((deployment === 'replica set' && wireVersion >= REPLICA_SET_TRANSACTIONS_WIRE_VERSION) ||
      (deployment === 'mongos' && wireVersion >= SHARDED_TRANSACTIONS_WIRE_VERSION));
  return { deployment, transactions };
}

/** Asks the connected server what it is. */
export async function detectDeployment(db: Db): Promise<DeploymentFacts> {
  return deploymentOf(await db.admin().command({ hello: 1 }));
}
