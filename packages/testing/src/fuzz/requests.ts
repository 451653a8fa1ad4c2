import fc from 'fast-check';
import type { FuzzOperation } from './operations.js';

/** One HTTP request to the GraphQL endpoint, as a client (or an attacker) could send it. */
export interface FuzzRequest {
  method: string;
  /** Appended to the endpoint's URL (a query string). */
  search?: string;
  headers: Record<string, string>;
  body?: string;
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

/** An operation POSTed as JSON, the way every client sends it. */
export const asPost = ({ query, variables }: FuzzOperation): FuzzRequest => ({
  method: 'POST',
  headers: { ...JSON_HEADERS },
  body: JSON.stringify({ query, variables }),
});

/**
 * Requests that are not what a GraphQL client sends: bodies that are not JSON or
 * not an object, fields of the wrong type, batches, odd methods and content
 * types, GET with a query in the URL, and operation names that name nothing.
 */
export function malformedRequest(operation: fc.Arbitrary<FuzzOperation>): fc.Arbitrary<FuzzRequest> {
  const json = (body: unknown, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(body),
  });
  return fc.oneof(
    fc.string({ maxLength: 200 }).map((body) => ({ method: 'POST', headers: { ...JSON_HEADERS }, body })),
    fc.jsonValue({ maxDepth: 3 }).map((body) => json(body)),
    fc.tuple(operation, fc.jsonValue({ maxDepth: 2 })).map(([op, query]) => json({ ...op, query })),
    fc.tuple(operation, fc.jsonValue({ maxDepth: 2 })).map(([op, variables]) => json({ ...op, variables })),
    fc.tuple(operation, fc.jsonValue({ maxDepth: 2 })).map(([op, extensions]) => json({ ...op, extensions })),
    fc.tuple(operation, fc.string({ maxLength: 30 })).map(([op, operationName]) => json({ ...op, operationName })),
    fc.array(operation, { minLength: 1, maxLength: 3 }).map((ops) => json(ops)),
    operation.map((op) => json(op, { 'content-type': 'text/plain' })),
    operation.map((op) => json(op, { 'content-type': 'application/x-www-form-urlencoded' })),
    fc.tuple(operation, fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS')).map(([op, method]) => ({
      method,
      search: `?${new URLSearchParams({ query: op.query, variables: JSON.stringify(op.variables) }).toString()}`,
      headers: { accept: 'application/graphql-response+json' },
    })),
    operation.map((op) => ({
      method: 'POST',
      headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' },
      body: JSON.stringify(op),
    })),
  );
}

/** What came back: status, content type and the body's text. */
export interface FuzzAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** Sends one request; a hang is a failure (bounded by `timeoutMs`). */
export async function sendFuzzRequest(url: string, request: FuzzRequest, timeoutMs = 15_000): Promise<FuzzAnswer> {
  const response = await fetch(url + (request.search ?? ''), {
    method: request.method,
    headers: request.headers,
    body: request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

/** Messages the product gives for an error it masks. */
const MASKED_MESSAGES = new Set(['Internal server error', 'Unexpected error.']);
/** What store or runtime internals look like when they leak into a message. */
const INTERNALS =
  /\bat [\w.<>]+ \(|node_modules|ECONN|ETIMEDOUT|\bSELECT\b|\bINSERT\b|duplicate key|relation "|violates|MongoServerError|E11000|Cannot read propert|is not a function|undefined is not|SignatureDoesNotMatch|AccessDenied/;

/**
 * Why an answer breaks the front door's promise, or undefined when it keeps it:
 * never a 5xx; every GraphQL error carries `extensions.code`; a masked error
 * says nothing more; no message shows store or runtime internals.
 */
export function brokenPromise(answer: FuzzAnswer): string | undefined {
  if (answer.status >= 500) return `status ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (!answer.contentType.includes('json')) {
    return answer.status >= 400 ? undefined : `a ${answer.status} answer that is not JSON (${answer.contentType})`;
  }
  let body: { errors?: { message?: unknown; extensions?: { code?: unknown } }[] };
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    return `a JSON content type with a body that is not JSON: ${answer.text.slice(0, 200)}`;
  }
  for (const error of body.errors ?? []) {
    const code = error.extensions?.code;
    const message = String(error.message);
    if (typeof code !== 'string') return `an error without a code: ${message}`;
    if (code === 'INTERNAL_SERVER_ERROR' && !MASKED_MESSAGES.has(message))
      return `an unmasked internal error: ${message}`;
    if (INTERNALS.test(message)) return `internals in a message (${code}): ${message.slice(0, 300)}`;
  }
  return undefined;
}
