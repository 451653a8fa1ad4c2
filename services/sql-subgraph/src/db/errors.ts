import { GraphQLError } from 'graphql';
import { QueryFailedError } from 'typeorm';
import {
  badUserInput,
  codedError,
  conflict,
  ErrorCode,
  isConnectionError,
  notFound,
  serviceUnavailable,
} from '@polystore/common';

/** Which field a unique index protects, for CONFLICT messages clients can act on. */
const UNIQUE_FIELDS: Record<string, string> = {
  users_email_key: 'email',
  products_sku_key: 'sku',
};

// Server shutting down, not yet accepting connections, connection failures.
const UNAVAILABLE_STATES = new Set(['57P01', '57P03', '08006', '08001', '08004']);

interface PgError {
  code?: string;
  constraint?: string;
  message?: string;
  detail?: string;
}

function detailObject(detail: string | undefined): Record<string, unknown> {
  try {
    return detail ? (JSON.parse(detail) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Translates PostgreSQL errors where they happen into the API's error codes
 * (SQLSTATE list: https://www.postgresql.org/docs/current/errcodes-appendix.html;
 * class PS is ours, raised by the migrations' functions and triggers).
 * Anything not recognised is rethrown and masked by the server as INTERNAL.
 */
export function translateDbError(err: unknown): never {
  if (err instanceof GraphQLError) throw err;
  const pg = (err instanceof QueryFailedError ? err.driverError : err) as PgError | undefined;
  const code = pg?.code;
  const message = pg?.message ?? '';
  switch (code) {
    case 'PSINP':
      throw badUserInput(message);
    case 'PSNF0':
      throw notFound(message);
    case 'PSSTK':
      throw codedError(ErrorCode.InsufficientStock, message, detailObject(pg?.detail));
    case 'PSTRN':
      throw codedError(ErrorCode.InvalidTransition, message, detailObject(pg?.detail));
    case '23505': {
      const field = UNIQUE_FIELDS[pg?.constraint ?? ''];
      throw conflict(
        field ? `${field} is already taken` : 'a record with these values already exists',
        field ? { field } : {},
      );
    }
    case '23503':
      // On delete the row is still referenced; on insert the referenced row is missing.
      if (/^update or delete on table/.test(message)) {
        throw conflict('the record is still referenced (for example by orders)', { constraint: pg?.constraint });
      }
      throw notFound('a referenced record does not exist', { constraint: pg?.constraint });
    case '23514':
    case '23502':
    case '22P02':
    case '22003':
      throw badUserInput('the input breaks a rule of the data model', { constraint: pg?.constraint });
    case '57014':
      throw serviceUnavailable('the database did not answer in time');
    case '25006':
      // A standby, or a primary fenced read-only, during a failover: nothing was written, and the endpoint moves on.
      throw serviceUnavailable('the database accepts no writes right now; try again');
    case '40001':
    case '40P01':
      // Still conflicting after the retries: nothing was written, and the client may try again.
      throw serviceUnavailable('the database is busy with conflicting writes; try again');
  }
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
