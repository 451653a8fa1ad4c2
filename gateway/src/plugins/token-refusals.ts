import { ErrorCode } from '@polystore/common';
import { GraphQLError } from 'graphql';

/** A token refused: UNAUTHENTICATED (401) with why. */
export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Unauthenticated, http: { status: 401 } } });
}

/** The JWT plugin's refusals carry an HTTP status but no code: these messages get UNAUTHENTICATED. */
export const JWT_PLUGIN_REFUSALS = new Set(['Unauthenticated', 'Invalid authentication token provided']);

/** What a client is told when the JWT plugin refused its token (which does not say why). */
export const INVALID_TOKEN = 'the token is invalid, expired, or not for this API';
