import autocannon from 'autocannon';
import type { Knobs } from './knobs.js';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** Mean latency, ms with decimals (autocannon's percentiles are whole ms). */
  mean: number;
  errors: number;
  /** Requests answered with a 2xx (what CPU per request is divided by). */
  answered: number;
}

/**
 * One bounded autocannon run against a GraphQL endpoint on 127.0.0.1.
 * `bodies` with more than one entry are sent in turn across all connections
 * (distinct queries): each request takes the next body, from `firstBody` on, so
 * no two requests in flight carry the same body until the list wraps (with a
 * list per connection, every connection would send body 0, then body 1, in step).
 */
export async function load(
  url: string,
  bodies: string[],
  {
    seconds,
    connections,
    amount,
  }: Pick<Knobs, 'seconds' | 'connections'> & {
    /** Send exactly this many requests instead of running for `seconds`. */
    amount?: number;
  },
  /** Sent with every request (for example who the client is). */
  extraHeaders: Record<string, string> = {},
  /** Where in `bodies` this run starts. */
  firstBody = 0,
): Promise<LoadResult & { sent: number }> {
  const headers = { 'content-type': 'application/json', ...extraHeaders };
  if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url)) throw new Error(`load goes to 127.0.0.1 only, not ${url}`);
  let next = firstBody;
  const requests =
    bodies.length > 1
      ? [
          {
            method: 'POST' as const,
            headers,
            setupRequest: (request: object) => ({ ...request, body: bodies[next++ % bodies.length] }),
          },
        ]
      : undefined;
  const result = await autocannon({
    url,
    method: 'POST',
    headers,
    body: bodies[0],
    ...(requests ? { requests } : {}),
    connections,
    ...(amount ? { amount } : { duration: seconds }),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.average,
    errors: result.errors + result.non2xx + result.timeouts,
    answered: result['2xx'],
    sent: next - firstBody,
  };
}
