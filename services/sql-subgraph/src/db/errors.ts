import { QueryFailedError } from 'typeorm';
import { badUserInput, conflict, isConnectionError, notFound, serviceUnavailable } from '@polystore/common';

/** Which field a unique index protects, for CONFLICT messages clients can act on. */
const UNIQUE_FIELDS: Record<string, string> = {
  users_email_key: 'email',
  products_sku_key: 'sku',
};

// Server shutting down, not yet accepting connections, connection failures.
const UNAVAILABLE_STATES = new Set(['57P01', '57P03', '08006', '08001', '08004']);

/**
 * Translates PostgreSQL errors where they happen into the API's error codes
 * (SQLSTATE list: https://www.postgresql.org/docs/current/errcodes-appendix.html).
 * Anything not recognised is rethrown and masked by the server as INTERNAL.
 */
export function translateDbError(err: unknown): never {
  const driverError =
    err instanceof QueryFailedError ? (err.driverError as { code?: string; constraint?: string }) : undefined;
  const code = driverError?.code ?? (err as { code?: string } | undefined)?.code;
  switch (code) {
    case '23505': {
      const field = UNIQUE_FIELDS[driverError?.constraint ?? ''];
      throw conflict(
        field ? `${field} is already taken` : 'a record with these values already exists',
        field ? { field } : {},
      );
    }
    case '23503':
      throw notFound('a referenced record does not exist', { constraint: driverError?.constraint });
    case '23514':
    case '23502':
    case '22P02':
    case '22003':
      throw badUserInput('the input breaks a rule of the data model', { constraint: driverError?.constraint });
    case '57014':
      throw serviceUnavailable('the database did not answer in time');
  }
  const message = err instanceof Error ? err.message : '';
  if (
    (code && UNAVAILABLE_STATES.has(code)) ||
    isConnectionError(err) ||
    /timeout exceeded when trying to connect|Connection terminated/i.test(message)
  ) {
    throw serviceUnavailable('the database is unavailable');
  }
  throw err;
}

/** Runs a database call, translating its failure. */
export async function withDbErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    translateDbError(err);
  }
}
