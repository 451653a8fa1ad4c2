import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { recordClaims } from '../auth/claims.js';
import { verifyRequestSignature } from '../auth/signature.js';
import { createErrorFormatter, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Teardown } from '../teardown.js';
import { readBody, RequestBodyError } from './body.js';
import { handleHealthRequest, sendJson, type ReadinessCheck } from './health.js';
import { listenHttp } from './listen.js';
import { withRequestContext } from '../request-context.js';
import { createMetrics, handleMetricsRequest, type ServiceMetrics } from './metrics.js';

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
  /** The registry behind `/metrics`, when the service counts things of its own in it (the entity cache). Default: a new one. */
  metrics?: ServiceMetrics;
}

export interface SubgraphServer {
  httpServer: Server;
  /** Listens and returns the GraphQL URL; port 0 picks a free port. */
  listen(port: number, host?: string): Promise<string>;
}

function toHeaderMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * Apollo Server on plain `node:http`, with graphql-ws on the same port and
 * path for subscriptions, and `/health` and `/ready` beside them.
 */
export async function createSubgraphServer<Context extends BaseContext>(
  options: SubgraphServerOptions<Context>,
): Promise<SubgraphServer> {
  const { name, schema, log, teardown, readiness, maxBodyBytes = 1024 * 1024, signatureSecret } = options;
  const signed = (body: unknown) =>
    verifyRequestSignature(signatureSecret!, body, { maxAgeSeconds: options.signatureMaxAgeSeconds ?? 60 });
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
        return options.context(request);
      },
      onSubscribe(_ctx, _id, payload) {
        if (signatureSecret && !signed(payload)) {
          log.warn({ service: name }, 'unsigned, forged or stale subscription refused');
          return [unsignedError()];
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
    if (await handleHealthRequest(req, res, readiness)) return;
    if (await handleMetricsRequest(req, res, metrics)) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== GRAPHQL_PATH) {
      sendError(res, 404, 'NOT_FOUND', `no route for ${url.pathname}; GraphQL is at ${GRAPHQL_PATH}`);
      return;
    }
    let body: unknown;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (err) {
      if (!(err instanceof RequestBodyError)) throw err;
      sendError(res, err.status, 'BAD_REQUEST', err.message);
      return;
    }
    if (signatureSecret && !signed(body)) {
      log.warn({ service: name, method: req.method }, 'unsigned, forged or stale request refused');
      sendError(res, 401, ErrorCode.Unauthenticated, 'this service answers only requests signed by the gateway');
      return;
    }
    recordClaims(req, body);
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: req.method?.toUpperCase() ?? 'GET',
        headers: toHeaderMap(req),
        search: url.search,
        body,
      },
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

function unsignedError() {
  return new GraphQLError('this service answers only requests signed by the gateway', {
    extensions: { code: ErrorCode.Unauthenticated },
  });
}

function sendError(res: ServerResponse, status: number, code: string, message: string) {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}
