import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config, ServiceMetrics } from '@polystore/common';
import type { GraphQLError } from 'graphql';
import { gatewayCounters, operationLabels } from '../metrics.js';
import { SPENT_BEFORE_RUNTIME, type SpendBudget } from '../rate-limit-budget.js';
import type { VerifiedTokens } from '../verified-tokens.js';
import type { HashLabels } from './metrics.js';
import type { RedisResponseStore } from './redis-store.js';
import {
  documentOf,
  LOOKED_UP_BEFORE_RUNTIME,
  persistedHashOf,
  responseId,
  type IdScope,
  type RequestedOperation,
} from './response-id.js';

/** A Node request as the early answer leaves it for the runtime when it does not answer it. */
type EarlyRequest = IncomingMessage & {
  /** The body it read, which the runtime's server adapter takes instead of the spent stream. */
  body?: Buffer;
  [LOOKED_UP_BEFORE_RUNTIME]?: string;
  [SPENT_BEFORE_RUNTIME]?: GraphQLError | null;
};

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
export function jsonMediaType(accept: string | undefined): string | undefined {
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
function operationIn(body: Buffer): RequestedOperation | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
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

export interface HitsBeforeRuntimeOptions {
  config: Config;
  store: RedisResponseStore;
  scope: IdScope;
  labels: HashLabels;
  tokens: VerifiedTokens;
  spend: SpendBudget | undefined;
  metrics: ServiceMetrics;
  graphqlPath: string;
  /** How often the runtime looks for a new supergraph (0: never); it looks only when it serves a request. */
  supergraphPollMs: number;
}

/**
 * Answers response-cache hits in the Node request listener, before the
 * runtime builds a Fetch request, runs its plugins and parses anything: the
 * JSON bytes stored are sent as they are. A hit is answered only where the runtime
 * would have sent the same bytes after the same checks: a POST of one JSON
 * operation with a declared length within GATEWAY_MAX_BODY_BYTES, no CORS
 * origin (the runtime adds CORS headers), no tracing (the runtime traces each
 * request), a token the JWT plugin verified and still valid
 * (`verified-tokens.ts`), and the caller's rate-limit budget spent. The id it
 * looks up (`responseId`) names the supergraph, the admission settings, the
 * operation, its variables and the caller's Authorization header, so the
 * answer was made for an identical request admitted under the same settings.
 * Anything else, a miss or a refusal goes on to the runtime with the body
 * read (and the lookup and the budget not repeated there); so does one
 * request per supergraph poll interval, since the runtime looks for a new
 * supergraph only when it serves one. Resolves true when it answered.
 */
export function hitsBeforeRuntime(options: HitsBeforeRuntimeOptions) {
  const { config, store, scope, labels: byHash, tokens, spend, metrics, graphqlPath, supergraphPollMs } = options;
  const lookups = gatewayCounters.responseCacheLookups(metrics);
  const early = gatewayCounters.responseCacheEarlyHits(metrics);
  early.inc(0);
  const labels = operationLabels(config);
  /** The label the runtime would count this operation's hit by; undefined for a hash not seen with its text yet. */
  const labelOf = (operation: RequestedOperation) => {
    const { query, operationName } = operation;
    const hash = persistedHashOf(operation);
    if (query || hash === undefined) return labels.ofText(query ?? undefined, operationName);
    return byHash.recall(hash, operationName);
  };
  const { maxBodyBytes } = config.gateway.limits;
  const tracing = Boolean(config.tracing.otlpEndpoint);
  let runtimeServedAt = Date.now();
  const runtimeDueToPoll = () => {
    if (supergraphPollMs <= 0 || Date.now() - runtimeServedAt < supergraphPollMs) return false;
    runtimeServedAt = Date.now();
    return true;
  };
  return async function answerHit(req: EarlyRequest, res: ServerResponse): Promise<boolean> {
    const { supergraph, settings } = scope;
    const length = Number(req.headers['content-length']);
    if (
      tracing ||
      runtimeDueToPoll() ||
      supergraph === undefined ||
      req.method !== 'POST' ||
      req.url !== graphqlPath ||
      req.headers.origin !== undefined ||
      !/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(req.headers['content-type'] ?? '') ||
      !(length > 0 && length <= maxBodyBytes)
    )
      return false;
    const type = jsonMediaType(req.headers.accept);
    const authorization = req.headers.authorization;
    const claims = authorization === undefined ? undefined : tokens.recall(authorization);
    if (!type || (authorization !== undefined && !claims)) return false;
    const body = await readBody(req, length);
    if (!body) return true; // the client went away: nothing to answer
    req.body = body;
    const operation = operationIn(body);
    const document = operation && documentOf(operation);
    // A text with its hash is an APQ registration, or a text the allow-list may refuse: the runtime decides.
    if (!operation || !document || (document.startsWith('hash:') && operation.query)) return false;
    const label = labelOf(operation);
    if (label === undefined) return false;
    const id = responseId({ supergraph, settings }, document, operation, authorization ?? null);
    const [raw, refused] = await Promise.all([
      store.read(id),
      spend?.({ ...(claims ? { jwt: { payload: claims } } : {}), req }, 'http'),
    ]);
    if (spend) req[SPENT_BEFORE_RUNTIME] = refused ?? null;
    if (raw === undefined || refused) {
      req[LOOKED_UP_BEFORE_RUNTIME] = id;
      return false;
    }
    lookups.inc({ operationName: label, result: 'hit' });
    early.inc();
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'content-length': raw.length });
    res.end(raw);
    return true;
  };
}
