import { GraphQLError } from 'graphql';
import type { NonceStore } from '../auth/nonces.js';
import { operationKind } from '../auth/operation-kind.js';
import { NONCE_EXTENSION, SERVICE_EXTENSION, SIGNED_AT_EXTENSION, verifyRequestSignature } from '../auth/signature.js';
import { ErrorCode } from '../errors.js';

/** Exactly what a signature covers of the operation to run: nothing else of a request reaches execution. */
export interface SignedOperation {
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
}

/** A request refused before execution: the HTTP status and the coded error to answer with. */
export class RequestRefusal extends Error {
  readonly error: GraphQLError;
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(message);
    this.error = new GraphQLError(message, { extensions: { code } });
  }
}

export interface SignedRequestOptions {
  secret: string;
  maxAgeSeconds: number;
  nonces: NonceStore;
}

const NONCE = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The one gate of a signing subgraph, for HTTP bodies and WebSocket subscribe
 * payloads alike: a valid signature made within the window, a query naming
 * one operation, a service identity only for a query, and a mutation's nonce
 * seen for the first time (remembered until its signature expires). Returns
 * the signed operation; throws RequestRefusal.
 */
export async function admitSignedRequest(
  body: unknown,
  { secret, maxAgeSeconds, nonces }: SignedRequestOptions,
): Promise<SignedOperation> {
  if (!verifyRequestSignature(secret, body, { maxAgeSeconds })) {
    throw new RequestRefusal(
      401,
      ErrorCode.Unauthenticated,
      'this service answers only requests signed by the gateway',
    );
  }
  const { query, operationName, variables, extensions } = body as {
    query: string;
    operationName?: string | null;
    variables?: Record<string, unknown> | null;
    extensions: Record<string, unknown>;
  };
  const kind = operationKind(query, operationName);
  if (!kind) throw new RequestRefusal(400, 'BAD_REQUEST', 'the signed query does not name one operation to run');
  if (extensions[SERVICE_EXTENSION] !== undefined && kind !== 'query') {
    throw new RequestRefusal(403, ErrorCode.Forbidden, 'a service identity may only read');
  }
  if (kind === 'mutation') {
    const nonce = extensions[NONCE_EXTENSION];
    if (typeof nonce !== 'string' || !NONCE.test(nonce)) {
      throw new RequestRefusal(401, ErrorCode.Unauthenticated, 'a signed mutation needs a nonce');
    }
    // Remembered until the signature itself would be refused as too old.
    const expiresAt = ((extensions[SIGNED_AT_EXTENSION] as number) + maxAgeSeconds + 1) * 1000;
    const first = await nonces.claim(nonce, Math.max(1_000, expiresAt - Date.now())).catch((err: unknown) => {
      if (!(err instanceof GraphQLError)) throw err;
      throw new RequestRefusal(503, ErrorCode.ServiceUnavailable, err.message);
    });
    if (!first) {
      throw new RequestRefusal(401, ErrorCode.Unauthenticated, 'this signed mutation was already run (replayed)');
    }
  }
  return {
    query,
    ...(operationName ? { operationName } : {}),
    ...(variables && typeof variables === 'object' ? { variables } : {}),
  };
}
