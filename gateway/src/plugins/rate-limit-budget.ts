import type { IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import { MemoryCache, redisKeys } from '@polystore/common';
import { GraphQLError } from 'graphql';
import { clientAddressOf } from '../client-address.js';
import { gatewayCounters } from './metrics.js';
import type { PluginContext } from './plugin-context.js';

/**
 * What this budget said of a Node request before the runtime saw it (a
 * response-cache hit is counted where it is answered, `hits-before-runtime.ts`):
 * null when it was within the budget, else its refusal. The runtime then does
 * not spend again, and answers with the refusal.
 */
export const SPENT_BEFORE_RUNTIME = Symbol('rate limit budget spent before the runtime');

/** What a request's or an operation's context says about who is asking. */
export type BudgetContext = {
  jwt?: { payload?: { sub?: unknown } };
  req?: IncomingMessage & { [SPENT_BEFORE_RUNTIME]?: GraphQLError | null };
  /** The Node request in the HTTP server's context (in an operation's context it is a Fetch Request, without one). */
  request?: { socket?: IncomingMessage['socket'] };
  connectionParams?: unknown;
  /** Set when this operation already spent its budget before the pipeline (a shared anonymous subscription). */
  budgetSpent?: boolean;
};

/** Spends one request of the caller's budget: undefined within it, else the refusal (RATE_LIMITED). */
export type SpendBudget = (
  context: BudgetContext,
  transport: 'http' | 'graphql-ws',
) => Promise<GraphQLError | undefined>;

/** Identities counted in this replica's own window at most (the least recently counted are dropped). */
const LOCAL_IDENTITIES = 100_000;
/** Refusals held back at once at most; beyond, a refusal is answered at once (a held one costs a socket and a timer). */
const MAX_HELD_REFUSALS = 1_000;

/**
 * The rate limit's one budget per identity: the verified token's `sub`, or the
 * client's address when anonymous or when the token was refused (the socket's,
 * or behind a load balancer of GATEWAY_TRUSTED_PROXIES the one it forwarded:
 * `client-address.ts`). Counted in the gateway's shared Redis
 * layer, so every replica and every transport spends the same budget; above
 * GATEWAY_RATE_LIMIT per window the request is refused (over HTTP with 429 and
 * Retry-After). Every request is also counted in this replica's memory; when
 * Redis does not answer within GATEWAY_RATE_LIMIT_REDIS_TIMEOUT_MS (down, or
 * this process too busy to read its answer) that count decides, so the same
 * limit holds per replica instead of letting anyone through. Undefined when
 * rate limits are off. Made once per gateway (`server.ts`) and given to
 * everything that spends it: the rate-limit and JWT plugins, and the shared
 * anonymous subscriptions.
 */
export function rateLimitBudget(
  context: Pick<PluginContext, 'config' | 'redis' | 'metrics' | 'log'>,
): SpendBudget | undefined {
  const { config, redis, metrics, log } = context;
  const { requests, windowSeconds, redisTimeoutMs } = config.gateway.rateLimit;
  if (requests === 0) return undefined;
  const windowMs = windowSeconds * 1000;
  const clientAddress = clientAddressOf(config);
  // Under the gateway's namespace: its Redis user may touch nothing outside it but the shared stream and channels.
  const keys = redisKeys(redis.keyPrefix);
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
    // A Node request's headers are a plain object; a Fetch Request's are not read (it has no socket either).
    const node =
      context.req ?? (context.request as { socket?: IncomingMessage['socket']; headers?: never } | undefined);
    const address = clientAddress(node);
    const identity = typeof sub === 'string' ? `user:${sub}` : `ip:${address}`;
    const key = keys.rateLimit(budgetId(identity));
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
    refusals.inc({ identity: kind });
    if (transport === 'http') await holdRefusal(Math.min(over.resetInMs, config.gateway.rateLimit.refusalDelayMs));
    const retryAfter = Math.max(1, Math.ceil(over.resetInMs / 1000));
    return new GraphQLError(`rate limit of ${over.limit} reached`, {
      extensions: {
        code: 'RATE_LIMITED',
        retryAfterSeconds: retryAfter,
        ...(transport === 'http' ? { http: { status: 429, headers: { 'retry-after': String(retryAfter) } } } : {}),
      },
    });
  };
  return spend;
}

let heldRefusals = 0;

/**
 * Holds a refusal back before it is answered, as nginx's limit_req delays what
 * exceeds its rate: a client that loops on its refusals (each answered in well
 * under a millisecond) would otherwise send thousands a second, and its loop,
 * its bytes and the gateway's answers take the CPU that others' requests need.
 * Held, it sends about one a second per connection. At most MAX_HELD_REFUSALS
 * wait at once: more are answered at once.
 */
async function holdRefusal(ms: number): Promise<void> {
  if (ms <= 0 || heldRefusals >= MAX_HELD_REFUSALS) return;
  heldRefusals++;
  try {
    await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    heldRefusals--;
  }
}

/** The name of one identity's budget (`redisKeys(p).rateLimit`). Hashed: user ids and addresses are not written to Redis as they are. */
function budgetId(identity: string): string {
  return createHash('sha256').update(identity).digest('base64url').slice(0, 22);
}
