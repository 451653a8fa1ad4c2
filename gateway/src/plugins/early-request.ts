import type { IncomingMessage } from 'node:http';
import type { Config } from '@polystore/common';
import type { GraphQLError } from 'graphql';
import { SPENT_BEFORE_RUNTIME, type SpendBudget } from './rate-limit-budget.js';
import { documentOf, type LOOKED_UP_BEFORE_RUNTIME, type RequestedOperation } from './response-cache/response-id.js';
import type { TokenClaims, VerifiedTokens } from './verified-tokens.js';

/** A Node request as an early answer leaves it for the runtime when it does not answer it. */
export type EarlyRequest = IncomingMessage & {
  /** The body it read, which the runtime's server adapter takes instead of the spent stream. */
  body?: Buffer;
  [LOOKED_UP_BEFORE_RUNTIME]?: string;
  [SPENT_BEFORE_RUNTIME]?: GraphQLError | null;
};

/**
 * One operation read from a request before the runtime: what the answers given
 * there (a response-cache hit, an identical query's answer) are chosen by.
 */
export interface EarlyOperation {
  operation: RequestedOperation;
  /** `documentOf(operation)`: its persisted hash or its text. */
  document: string;
  /** The JSON media type the runtime would answer in. */
  mediaType: string;
  /** The Authorization header as sent, if any, and the claims of its verified token. */
  authorization?: string;
  claims?: TokenClaims;
  /** The body as received, for ids that need no canonical form. */
  text: string;
}

/** The media types the runtime answers a single result in, in the order it tries them. */
const JSON_TYPES = ['application/graphql-response+json', 'application/json'] as const;

/** The media type chosen for each Accept header seen (`jsonMediaType`). */
const mediaTypes = new Map<string | undefined, string | undefined>();

/**
 * The media type the runtime answers a query's result in for this Accept
 * header, or undefined when it would answer otherwise (an event stream) or
 * not at all: its rule, restated (types in a charset other than UTF-8 are
 * ignored; walking the client's types from last to first, the last JSON type
 * matching one wins, so the client's first choice prevails).
 */
function jsonMediaType(accept: string | undefined): string | undefined {
  const known = mediaTypes.get(accept);
  if (known !== undefined || mediaTypes.has(accept)) return known;
  const chosen = chooseJsonMediaType(accept);
  // Clients send few distinct Accept headers; a flood of odd ones is not remembered.
  if (mediaTypes.size < 100) mediaTypes.set(accept, chosen);
  return chosen;
}

function chooseJsonMediaType(accept: string | undefined): string | undefined {
  const asked = (accept || '*/*')
    .replace(/\s/g, '')
    .toLowerCase()
    .split(',')
    .map((part) => part.split(';'))
    .filter(
      ([, ...params]) => (params.find((param) => param.includes('charset=')) ?? 'charset=utf-8') === 'charset=utf-8',
    )
    .map(([type]) => type ?? '');
  let chosen: string | undefined;
  for (const wanted of asked.reverse()) {
    const [kind, subtype] = wanted.split('/');
    for (const type of JSON_TYPES) {
      const [typeKind, typeSubtype] = type.split('/');
      if ((kind === '*' || kind === typeKind) && (subtype === '*' || subtype === typeSubtype)) chosen = type;
    }
  }
  return chosen;
}

/** The whole body, `length` bytes as declared; undefined when the client went away first. */
function readBody(req: IncomingMessage, length: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (body: Buffer | undefined) => {
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    };
    const onEnd = () => done(size === length ? Buffer.concat(chunks, size) : undefined);
    const onGone = () => done(undefined);
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

/** The operation a JSON body asks for, when it is one operation with well-typed fields; else undefined. */
function operationIn(text: string): RequestedOperation | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { query, operationName, variables } = parsed as Record<string, unknown>;
  const optional = (value: unknown, type: string) => value === undefined || value === null || typeof value === type;
  if (!optional(query, 'string') || !optional(operationName, 'string') || !optional(variables, 'object'))
    return undefined;
  return Array.isArray(variables) ? undefined : (parsed as RequestedOperation);
}

/**
 * Reads the operation of a request that may be answered before the runtime,
 * where the runtime would send the same bytes after the same checks: a POST
 * of one JSON operation to the GraphQL path with a declared length within
 * GATEWAY_MAX_BODY_BYTES, no CORS origin (the runtime adds CORS headers), no
 * tracing (the runtime traces each request), an Accept the runtime answers
 * in JSON, and a token the JWT plugin verified and still valid
 * (`verified-tokens.ts`). Anything else is undefined, its body unread; a read
 * body is left on the request for the runtime. Null: the client went away.
 */
export function earlyOperations({
  config,
  tokens,
  graphqlPath,
}: {
  config: Config;
  tokens: VerifiedTokens;
  graphqlPath: string;
}) {
  const { maxBodyBytes } = config.gateway.limits;
  const tracing = Boolean(config.tracing.otlpEndpoint);
  return async function readEarlyOperation(req: EarlyRequest): Promise<EarlyOperation | undefined | null> {
    const length = Number(req.headers['content-length']);
    if (
      tracing ||
      req.method !== 'POST' ||
      req.url !== graphqlPath ||
      req.headers.origin !== undefined ||
      !/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(req.headers['content-type'] ?? '') ||
      !(length > 0 && length <= maxBodyBytes)
    )
      return undefined;
    const mediaType = jsonMediaType(req.headers.accept);
    const authorization = req.headers.authorization;
    const claims = authorization === undefined ? undefined : tokens.recall(authorization);
    if (!mediaType || (authorization !== undefined && !claims)) return undefined;
    const body = await readBody(req, length);
    if (!body) return null;
    req.body = body;
    const text = body.toString('utf8');
    const operation = operationIn(text);
    const document = operation && documentOf(operation);
    if (!operation || !document) return undefined;
    return {
      operation,
      document,
      mediaType,
      text,
      ...(authorization !== undefined ? { authorization, claims } : {}),
    };
  };
}

/**
 * Spends the caller's rate-limit budget for a request answered before the
 * runtime, once however many early answers ask (`SPENT_BEFORE_RUNTIME` keeps
 * the verdict, which the runtime then answers by): its refusal, else null
 * (undefined when rate limits are off).
 */
export async function spentBeforeRuntime(
  spend: SpendBudget | undefined,
  req: EarlyRequest,
  claims: TokenClaims | undefined,
): Promise<GraphQLError | null | undefined> {
  if (!spend) return undefined;
  if (!(SPENT_BEFORE_RUNTIME in req))
    req[SPENT_BEFORE_RUNTIME] = (await spend({ ...(claims ? { jwt: { payload: claims } } : {}), req }, 'http')) ?? null;
  return req[SPENT_BEFORE_RUNTIME];
}
