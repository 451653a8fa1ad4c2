import type { IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError } from 'graphql';
import type { PluginContext } from './index.js';
import { gatewayCounters } from './metrics.js';

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
        // Hashed: user ids and addresses are not written to Redis as they are.
        const key = prefix + createHash('sha256').update(identity).digest('base64url').slice(0, 22);
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
  ];
}
