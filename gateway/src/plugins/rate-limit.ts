import type { IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError } from 'graphql';
import type { PluginContext } from './index.js';
import { gatewayCounters } from './metrics.js';

type Context = {
  jwt?: { payload?: { sub?: unknown } };
  req?: IncomingMessage;
  connectionParams?: unknown;
  /** Set when this operation already spent its budget before the pipeline (a shared anonymous subscription). */
  budgetSpent?: boolean;
};

/**
 * Request rate per identity: the verified token's `sub`, or the client's IP
 * (the socket's address; no forwarding header is trusted) when anonymous.
 * Counted in the gateway's shared Redis layer, so every replica spends one
 * budget; above GATEWAY_RATE_LIMIT per window: 429 RATE_LIMITED with
 * Retry-After, before anything is executed. With Redis down requests go
 * through. Runs after the JWT plugin, which puts the claims on the context.
 */
export function rateLimitPlugins({ config, redis, metrics }: PluginContext): GatewayPlugin[] {
  const { requests, windowSeconds } = config.gateway.rateLimit;
  if (requests === 0) return [];
  const windowMs = windowSeconds * 1000;
  const prefix = `${redis.keyPrefix}ratelimit:`;
  const refusals = gatewayCounters.rateLimitRefusals(metrics);
  return [
    {
      async onRequestParse({ serverContext }) {
        const context = serverContext as {
          jwt?: { payload?: { sub?: unknown } };
          req?: IncomingMessage;
          request?: IncomingMessage;
        };
        const sub = context.jwt?.payload?.sub;
        const ip = (context.req ?? context.request)?.socket?.remoteAddress ?? 'unknown';
        const identity = typeof sub === 'string' ? `user:${sub}` : `ip:${ip}`;
        const key = budgetKey(prefix, identity);
        const counted = await redis.cache.hit(key, windowMs);
        if (!counted || counted.count <= requests) return;
        const retryAfter = Math.max(1, Math.ceil(counted.resetInMs / 1000));
        refusals.inc({ identity: typeof sub === 'string' ? 'user' : 'anonymous' });
        throw new GraphQLError(`rate limit of ${requests} requests per ${windowSeconds} s reached`, {
          extensions: {
            code: 'RATE_LIMITED',
            retryAfterSeconds: retryAfter,
            http: { status: 429, headers: { 'retry-after': String(retryAfter) } },
          },
        });
      },
    },
    webSocketRateLimit(config, redis),
  ];
}

/** The Redis key of one identity's budget. Hashed: user ids and addresses are not written to Redis as they are. */
function budgetKey(prefix: string, identity: string): string {
  return prefix + createHash('sha256').update(identity).digest('base64url').slice(0, 22);
}

/**
 * Spends one graphql-ws operation of the caller's budget (per verified `sub`, else per
 * address): undefined within it (or not over graphql-ws), else the refusal. Undefined
 * itself when rate limits are off. Shared with the gateway's graphql-ws server, which
 * spends it for anonymous subscriptions that join a shared execution.
 */
export function webSocketBudget({
  config,
  redis,
}: Pick<PluginContext, 'config' | 'redis'>): ((context: Context) => Promise<GraphQLError | undefined>) | undefined {
  const { requests, windowSeconds } = config.gateway.rateLimit;
  if (requests === 0) return undefined;
  const windowMs = windowSeconds * 1000;
  const prefix = `${redis.keyPrefix}ratelimit:`;
  return async (context) => {
    if (!('connectionParams' in context) || context.budgetSpent) return undefined;
    const sub = context.jwt?.payload?.sub;
    const identity = typeof sub === 'string' ? `user:${sub}` : `ip:${context.req?.socket?.remoteAddress ?? 'unknown'}`;
    const counted = await redis.cache.hit(budgetKey(prefix, identity), windowMs);
    if (!counted || counted.count <= requests) return undefined;
    const retryAfter = Math.max(1, Math.ceil(counted.resetInMs / 1000));
    return new GraphQLError(`rate limit of ${requests} requests per ${windowSeconds} s reached`, {
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter },
    });
  };
}

/**
 * graphql-ws: every operation a connection starts (each subscribe message, queries
 * and mutations included) spends the same budget as an HTTP request, per verified
 * `sub` (the token in connectionParams) or per the client's address. Above it the
 * operation gets one error result with code RATE_LIMITED and ends; the connection
 * and its other operations go on. HTTP requests are counted once, at parse time.
 */
function webSocketRateLimit(config: PluginContext['config'], redis: PluginContext['redis']): GatewayPlugin {
  const spend = webSocketBudget({ config, redis })!;
  return {
    async onSubscribe({ args, setResultAndStopExecution }) {
      const refused = await spend(args.contextValue as Context);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const refused = await spend(args.contextValue as Context);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
  };
}
