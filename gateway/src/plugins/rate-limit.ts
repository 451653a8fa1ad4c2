import type { IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { MemoryCache } from '@polystore/common';
import { GraphQLError } from 'graphql';
import type { PluginContext } from './index.js';
import { gatewayCounters } from './metrics.js';

/** What a request's or an operation's context says about who is asking. */
type Context = {
  jwt?: { payload?: { sub?: unknown } };
  req?: IncomingMessage;
  /** The Node request in the HTTP server's context (in an operation's context it is a Fetch Request, without one). */
  request?: { socket?: IncomingMessage['socket'] };
  connectionParams?: unknown;
  /** Set when this operation already spent its budget before the pipeline (a shared anonymous subscription). */
  budgetSpent?: boolean;
};

/** Spends one request of the caller's budget: undefined within it, else the refusal (RATE_LIMITED). */
export type SpendBudget = (context: Context, transport: 'http' | 'graphql-ws') => Promise<GraphQLError | undefined>;

/** One budget per gateway (per Redis layer), however many plugins spend it. */
const budgets = new WeakMap<object, SpendBudget>();

/** Identities counted in this replica's own window at most (the least recently counted are dropped). */
const LOCAL_IDENTITIES = 100_000;

/**
 * The rate limit's one budget per identity: the verified token's `sub`, or the
 * client's address (the socket's; no forwarding header is trusted) when
 * anonymous or when the token was refused. Counted in the gateway's shared Redis
 * layer, so every replica and every transport spends the same budget; above
 * GATEWAY_RATE_LIMIT per window the request is refused (over HTTP with 429 and
 * Retry-After). Every request is also counted in this replica's memory; when
 * Redis does not answer within GATEWAY_RATE_LIMIT_REDIS_TIMEOUT_MS (down, or
 * this process too busy to read its answer) that count decides, so the same
 * limit holds per replica instead of letting anyone through. Undefined when
 * rate limits are off.
 */
export function rateLimitBudget(
  context: Pick<PluginContext, 'config' | 'redis' | 'metrics' | 'log'>,
): SpendBudget | undefined {
  const { config, redis, metrics, log } = context;
  const { requests, windowSeconds, redisTimeoutMs } = config.gateway.rateLimit;
  if (requests === 0) return undefined;
  const known = budgets.get(redis);
  if (known) return known;
  const windowMs = windowSeconds * 1000;
  // Under the gateway's namespace: its Redis user may touch nothing outside it but the shared stream and channels.
  const prefix = `${redis.keyPrefix}gateway:ratelimit:`;
  const refusals = gatewayCounters.rateLimitRefusals(metrics);
  const localDecisions = gatewayCounters.rateLimitLocalDecisions(metrics);
  // Every series exists from the start at 0, so a rate of it is defined before the first event.
  for (const identity of ['user', 'anonymous'] as const) {
    refusals.inc({ identity }, 0);
    localDecisions.inc({ identity }, 0);
  }
  const local = new MemoryCache(LOCAL_IDENTITIES);
  let lastWarning = 0;
  const shared = (key: string, ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(resolve, redisTimeoutMs, null)));
    return Promise.race([redis.cache.hit(key, ms), late]).finally(() => clearTimeout(timer));
  };
  /**
   * One window's count for a key: this replica's first, and when that is already
   * over the limit the count everywhere is too, so Redis is not asked (a flood
   * is refused from memory). `local`: Redis did not answer, this replica decided.
   */
  const count = async (key: string, ms: number, limit: number) => {
    const here = await local.hit(key, ms);
    if (here.count > limit) return { counted: here, local: false };
    const everywhere = await shared(key, ms);
    return { counted: everywhere ?? here, local: everywhere === null };
  };
  // An anonymous window's budget is not spent in one burst: within any second, at most
  // twice its average rate (at least 10), so attackers from fresh addresses cannot spend
  // a minute's budget in their first seconds. Signed-in users (accountable, and tools
  // such as the seed) keep the whole window.
  const burst = Math.max(10, Math.ceil((2 * requests) / windowSeconds));
  const spend: SpendBudget = async (context, transport) => {
    const sub = context.jwt?.payload?.sub;
    const address = (context.req ?? context.request)?.socket?.remoteAddress ?? 'unknown';
    const identity = typeof sub === 'string' ? `user:${sub}` : `ip:${address}`;
    const key = budgetKey(prefix, identity);
    const kind = typeof sub === 'string' ? 'user' : 'anonymous';
    const [whole, second] = await Promise.all([
      count(key, windowMs, requests),
      kind === 'anonymous' ? count(`${key}:s`, 1000, burst) : undefined,
    ]);
    if (whole.local || second?.local) {
      localDecisions.inc({ identity: kind });
      if (Date.now() - lastWarning > 10_000) {
        lastWarning = Date.now();
        log.warn({ timeoutMs: redisTimeoutMs }, 'rate limit counted in this replica: Redis did not answer in time');
      }
    }
    const over =
      whole.counted.count > requests
        ? { limit: `${requests} requests per ${windowSeconds} s`, resetInMs: whole.counted.resetInMs }
        : second && second.counted.count > burst
          ? { limit: `${burst} requests per second`, resetInMs: second.counted.resetInMs }
          : undefined;
    if (!over) return undefined;
    const retryAfter = Math.max(1, Math.ceil(over.resetInMs / 1000));
    refusals.inc({ identity: kind });
    return new GraphQLError(`rate limit of ${over.limit} reached`, {
      extensions: {
        code: 'RATE_LIMITED',
        retryAfterSeconds: retryAfter,
        ...(transport === 'http' ? { http: { status: 429, headers: { 'retry-after': String(retryAfter) } } } : {}),
      },
    });
  };
  budgets.set(redis, spend);
  return spend;
}

/** The Redis key of one identity's budget. Hashed: user ids and addresses are not written to Redis as they are. */
function budgetKey(prefix: string, identity: string): string {
  return prefix + createHash('sha256').update(identity).digest('base64url').slice(0, 22);
}

/**
 * Spends the budget before anything is executed: an HTTP request once, at parse
 * time (after the JWT plugin has put the claims on the context); over graphql-ws
 * every operation a connection starts (each subscribe message, queries and
 * mutations included). A refused graphql-ws operation gets one error result and
 * ends; the connection and its other operations go on.
 */
export function rateLimitPlugins(context: PluginContext): GatewayPlugin[] {
  const spend = rateLimitBudget(context);
  if (!spend) return [];
  const spendOverWebSocket = (operation: Context) =>
    'connectionParams' in operation && !operation.budgetSpent ? spend(operation, 'graphql-ws') : undefined;
  return [
    {
      async onRequestParse({ serverContext }) {
        const refused = await spend(serverContext as Context, 'http');
        if (refused) throw refused;
      },
      async onSubscribe({ args, setResultAndStopExecution }) {
        const refused = await spendOverWebSocket(args.contextValue as Context);
        if (refused) setResultAndStopExecution({ errors: [refused] });
      },
      async onExecute({ args, setResultAndStopExecution }) {
        const refused = await spendOverWebSocket(args.contextValue as Context);
        if (refused) setResultAndStopExecution({ errors: [refused] });
      },
    },
  ];
}
