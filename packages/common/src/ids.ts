import { badUserInput } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every entity id the stack issues is a UUID; the services check ids before any store sees them. */
export const isUuid = (value: string) => UUID.test(value);

/** A malformed id is the client's mistake (BAD_USER_INPUT), not a missing row; returned lower-case. */
export function requireUuid(value: string, argumentName = 'id'): string {
  if (!isUuid(value)) throw badUserInput(`${argumentName} must be a UUID`, { argumentName });
  return value.toLowerCase();
}
