import { QueryFailedError } from 'typeorm';
import { isConnectionError } from '@polystore/common';

// serialization_failure, deadlock_detected: the transaction was rolled back whole.
const TRANSIENT_STATES = new Set(['40001', '40P01']);

export interface RetryOptions {
  /** Also retry when the connection was lost: only for work that is safe to repeat. Default false. */
  idempotent?: boolean;
  /** Default 3. */
  attempts?: number;
}

function isTransient(err: unknown, idempotent: boolean): boolean {
  const code = (err instanceof QueryFailedError ? (err.driverError as { code?: string }) : (err as { code?: string }))
    ?.code;
  if (code && TRANSIENT_STATES.has(code)) return true;
  // A lost connection may have lost the commit reply too: repeat only what is idempotent.
  return idempotent && isConnectionError(err);
}

/**
 * Retries a unit of work that failed for a reason that says nothing about the
 * input: a deadlock or serialization failure rolls the transaction back whole,
 * so running it again is safe. Backoff is short and jittered.
 */
export async function withRetry<T>(
  work: () => Promise<T>,
  { idempotent = false, attempts = 3 }: RetryOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !isTransient(err, idempotent)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt + Math.random() * 20));
    }
  }
}
