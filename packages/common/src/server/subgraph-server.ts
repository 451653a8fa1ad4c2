import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { FormattedExecutionResult } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { recordClaims } from '../auth/claims.js';
import { createNonceStore, type NonceStore } from '../auth/nonces.js';
import { createErrorFormatter, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Teardown } from '../teardown.js';
import { readBody, RequestBodyError } from './body.js';
import { handleHealthRequest, sendJson, type ReadinessCheck } from './health.js';
import { listenHttp } from './listen.js';
import { setSecurityHeaders } from './security-headers.js';
import { deliveredPositionOf, POSITION_EXTENSION, recordResumePosition } from '../events/live.js';
import { withRequestContext } from '../request-context.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { admitSignedRequest, RequestRefusal, type SignedOperation } from './signed-request.js';

export const GRAPHQL_PATH = '/graphql';

export interface SubgraphServerOptions<Context extends BaseContext> {
  name: string;
  /** Built with `buildSubgraphSchema`, so the gateway can query `_service` and `_entities`. */
  schema: GraphQLSchema;
  /** Builds the per-request context (fresh DataLoaders) for HTTP and WebSocket operations. */
  context(request: IncomingMessage): Context | Promise<Context>;
  readiness: readonly ReadinessCheck[];
  log: Logger;
  teardown: Teardown;
  /** Largest accepted request body. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * SUBGRAPH_SIGNING_SECRET: when set, every GraphQL request (HTTP and WebSocket
   * subscribe) must carry the gateway's HMAC signature, made within the last
   * `signatureMaxAgeSeconds`, or it is refused with UNAUTHENTICATED before it
   * is executed. Unset: every request is accepted.
   */
  signatureSecret?: string;
  /** SUBGRAPH_SIGNATURE_MAX_AGE_SECONDS: how old a signature is still accepted. Default 60. */
  signatureMaxAgeSeconds?: number;
  /**
   * Where the nonces of signed mutations are remembered, so a replayed one is
   * refused: `createNonceStore({ redis: redis.client, ... })` to share them with
   * every replica. Default: this process only.
   */
  nonces?: NonceStore;
  /** The registry behind `/metrics`, when the service counts things of its own in it (the entity cache). Default: a new one. */
  metrics?: ServiceMetrics;
}

export interface SubgraphServer {
  httpServer: Server;
  /** The registry behind `/metrics`, served on a listener of its own (`serveMetrics`), never on the GraphQL port. */
  metrics: ServiceMetrics;
  /** Listens and returns the GraphQL URL; port 0 picks a free port. */
  listen(port: number, host?: string): Promise<string>;
}

function JSON_REQUEST(): HeaderMap {
  const headers = new HeaderMap();
  headers.set('content-type', 'application/json');
  return headers;
}

/** `application/json; charset=utf-8` → `application/json`. */
const mediaType = (header: string | undefined) => header?.split(';')[0]?.trim().toLowerCase();

/** Without a signing secret: the body's operation, nothing else of the request. */
function operationOf(body: unknown): SignedOperation {
  const { query, operationName, variables } = (body ?? {}) as Record<string, unknown>;
  if (typeof query !== 'string') throw new RequestRefusal(400, 'BAD_REQUEST', 'the request body needs a query');
  return {
    query,
    ...(typeof operationName === 'string' && operationName ? { operationName } : {}),
    ...(variables && typeof variables === 'object' ? { variables: variables as Record<string, unknown> } : {}),
  };
}

/**
 * Apollo Server on plain `node:http`, with graphql-ws on the same port and
 * path for subscriptions, and `/health` and `/ready` beside them.
 */
export async function createSubgraphServer<Context extends BaseContext>(
  options: SubgraphServerOptions<Context>,
): Promise<SubgraphServer> {
  const { name, schema, log, teardown, readiness, maxBodyBytes = 1024 * 1024, signatureSecret } = options;
  const gate = signatureSecret
    ? {
        secret: signatureSecret,
        maxAgeSeconds: options.signatureMaxAgeSeconds ?? 60,
        nonces: options.nonces ?? createNonceStore({ log }),
      }
    : undefined;
  /** What runs of a request: with a secret, only what the signature covers; refusals are logged. */
  const admit = async (body: unknown, transport: string): Promise<SignedOperation> => {
    if (!gate) return operationOf(body);
    try {
      return await admitSignedRequest(body, gate);
    } catch (err) {
      if (err instanceof RequestRefusal) log.warn({ service: name, transport, reason: err.message }, 'request refused');
      throw err;
    }
  };
  const httpServer = createServer();
  const metrics = options.metrics ?? createMetrics(name);

  const apollo = new ApolloServer<Context>({
    schema,
    formatError: createErrorFormatter(log),
    includeStacktraceInErrorResponses: false,
    // No inline traces (ftv1): the Hive gateway does not read them, and they cost every request.
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginInlineTraceDisabled()],
    logger: log,
  });
  await apollo.start();

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  const wsHandle = useServer(
    {
      schema,
      // One WebSocket carries many operations: each gets its own view of the
      // upgrade request, carrying the claims of its subscribe message.
      context: (ctx, _id, payload) => {
        const request = Object.create(ctx.extra.request) as IncomingMessage;
        recordClaims(request, payload);
        recordResumePosition(request, payload);
        return options.context(request);
      },
      // Each live event's stream position, so the gateway can resume after it (`events/live.ts`).
      onNext(_ctx, _id, _payload, args, result) {
        const position = args.contextValue && deliveredPositionOf(args.contextValue as object);
        if (!position) return undefined;
        return {
          ...result,
          extensions: { ...result.extensions, [POSITION_EXTENSION]: position },
        } as FormattedExecutionResult;
      },
      // graphql-ws runs the payload's query, operationName and variables: all signed.
      async onSubscribe(_ctx, _id, payload) {
        try {
          await admit(payload, 'graphql-ws');
        } catch (err) {
          if (err instanceof RequestRefusal) return [err.error];
          throw err;
        }
        return undefined;
      },
    },
    wsServer,
  );

  httpServer.on('request', (req, res) => {
    withRequestContext(req, res, () => handle(req, res)).catch((err: unknown) => {
      log.error({ err }, 'request handling failed');
      if (!res.headersSent) sendError(res, 500, ErrorCode.Internal, 'Internal server error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    metrics.observe(req, res);
    setSecurityHeaders(res);
    if (await handleHealthRequest(req, res, readiness)) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== GRAPHQL_PATH) {
      sendError(res, 404, 'NOT_FOUND', `no route for ${url.pathname}; GraphQL is at ${GRAPHQL_PATH}`);
      return;
    }
    // Only a JSON POST: a GET's operation would come from the URL, which no signature covers.
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendError(res, 405, 'METHOD_NOT_ALLOWED', `GraphQL at ${GRAPHQL_PATH} takes POST only`);
      return;
    }
    if (mediaType(req.headers['content-type']) !== 'application/json') {
      sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'the request body must be application/json');
      return;
    }
    let operation: SignedOperation;
    try {
      const body = await readBody(req, maxBodyBytes);
      operation = await admit(body, 'http');
      recordClaims(req, body);
    } catch (err) {
      if (err instanceof RequestBodyError) sendError(res, err.status, 'BAD_REQUEST', err.message);
      else if (err instanceof RequestRefusal) sendJson(res, err.status, { errors: [err.error.toJSON()] });
      else throw err;
      return;
    }
    // Apollo sees the signed operation alone: no query string, no other header, no unsigned field of the body.
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers: JSON_REQUEST(), search: '', body: operation },
      context: async () => options.context(req),
    });
    res.statusCode = response.status ?? 200;
    for (const [key, value] of response.headers) res.setHeader(key, value);
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return {
    httpServer,
    metrics,
    async listen(port, host = '127.0.0.1') {
      const url = await listenHttp(httpServer, port, host, GRAPHQL_PATH);
      // Closing order (reverse of registration): sockets first, then Apollo drains HTTP.
      teardown.add(`${name} apollo`, () => apollo.stop());
      teardown.add(`${name} websockets`, async () => {
        await wsHandle.dispose();
        wsServer.close();
      });
      log.info({ url }, `${name} listening`);
      return url;
    },
  };
}

function sendError(res: ServerResponse, status: number, code: string, message: string) {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}
