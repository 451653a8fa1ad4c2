import autocannon from 'autocannon';
import type { Knobs } from './knobs.js';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** Mean latency, ms with decimals (autocannon's percentiles are whole ms). */
  mean: number;
  errors: number;
}

/**
 * One bounded autocannon run against a GraphQL endpoint on 127.0.0.1.
 * `bodies` with more than one entry are sent in turn (distinct queries).
 */
export async function load(
  url: string,
  bodies: string[],
  { seconds, connections }: Pick<Knobs, 'seconds' | 'connections'>,
  /** Sent with every request (for example who the client is). */
  extraHeaders: Record<string, string> = {},
): Promise<LoadResult> {
  const headers = { 'content-type': 'application/json', ...extraHeaders };
  if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url)) throw new Error(`load goes to 127.0.0.1 only, not ${url}`);
  const requests = bodies.length > 1 ? bodies.map((body) => ({ method: 'POST' as const, body, headers })) : undefined;
  const result = await autocannon({
    url,
    method: 'POST',
    headers,
    body: bodies[0],
    ...(requests ? { requests } : {}),
    connections,
    duration: seconds,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.average,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}
