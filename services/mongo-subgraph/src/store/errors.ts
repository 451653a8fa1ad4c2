import { MongoServerSelectionError, MongoNetworkError, MongoWriteConcernError } from 'mongodb';
import { conflict, serviceUnavailable } from '@polystore/common';

/** Translates driver errors into the API's codes; anything else is rethrown and masked. */
export async function withMongoErrors<T>(
  work: () => Promise<T>,
  {
    duplicate,
  }: { /** The error for a duplicate key (code 11000); default a generic CONFLICT. */ duplicate?: () => Error } = {},
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof MongoServerSelectionError || err instanceof MongoNetworkError) {
      throw serviceUnavailable('the document store is unavailable');
    }
    // Fewer replica set members than MONGO_WRITE_CONCERN asks confirmed the write in time; it may still apply.
    if (err instanceof MongoWriteConcernError) {
      throw serviceUnavailable('the document store did not confirm the write on enough of its servers in time');
    }
    if ((err as { code?: number }).code === 11000) {
      throw duplicate?.() ?? conflict('a document with these values already exists');
    }
    throw err;
  }
}
