import type { ClientSession, TransactionOptions } from 'mongodb';
import type { MongoStore } from './collections.js';

/**
 * A write's session: inside a transaction where the server runs them, else
 * undefined (each statement commits on its own). Store functions pass it to
 * every statement of the write.
 */
export type WriteSession = ClientSession | undefined;

// Reads inside see one snapshot; the client's write concern (MONGO_WRITE_CONCERN) applies to the commit.
const TRANSACTION: TransactionOptions = { readConcern: { level: 'snapshot' }, readPreference: 'primary' };

/**
 * Runs `write` as one transaction where the server has them (a replica set or
 * mongos: `store.capabilities.transactions`), so its statements commit
 * together or not at all. Two transactions writing the same document conflict
 * and the driver runs the later one again (`withTransaction`), so `write`
 * must be safe to repeat and must run its statements one after another.
 *
 * On a standalone (the embedded default) `write` runs statement by statement,
 * as before: a crash between two statements leaves the later ones undone
 * (docs/mongo.md, Replica sets, says what repairs each).
 */
export async function atomically<T>(store: MongoStore, write: (session: WriteSession) => Promise<T>): Promise<T> {
  if (!store.capabilities.transactions) return write(undefined);
  const session = store.client.startSession();
  try {
    return await session.withTransaction(() => write(session), TRANSACTION);
  } finally {
    await session.endSession();
  }
}
