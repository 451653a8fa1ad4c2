import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './security-headers.js';

/**
 * One store or dependency a service needs. The check resolves when it
 * answers (with `{ degraded: reason }` when it answers but is itself degraded,
 * as a subgraph can be for the gateway) and throws with the reason otherwise.
 */
export interface ReadinessCheck {
  name: string;
  check(): Promise<unknown>;
  /**
   * True for what the service can serve without (Redis, the event stream): when it
   * fails, `/ready` says `degraded` with 200 instead of `unavailable` with 503. Default false.
   */
  optional?: boolean;
}

/** `ready`: everything answers; `degraded`: serving, but an optional dependency is away; `unavailable`: cannot serve. */
export type ReadinessStatus = 'ready' | 'degraded' | 'unavailable';

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck({ check }: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    const degraded = (answer as { degraded?: unknown } | undefined)?.degraded;
    return typeof degraded === 'string' ? `degraded: ${degraded}` : 'ok';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once: each one's state (`ok`, `degraded: …` or why it failed), and the overall status. */
export async function readiness(
  checks: readonly ReadinessCheck[],
): Promise<{ status: ReadinessStatus; checks: Record<string, string> }> {
  const states = await Promise.all(checks.map(runCheck));
  const failed = (check: ReadinessCheck, i: number) => states[i] !== 'ok' && !states[i]!.startsWith('degraded');
  const status = checks.some((check, i) => failed(check, i) && !check.optional)
    ? 'unavailable'
    : states.some((state) => state !== 'ok')
      ? 'degraded'
      : 'ready';
  return { status, checks: Object.fromEntries(checks.map(({ name }, i) => [name, states[i]!])) };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/**
 * `/health`: the process is up. `/ready`: every store answers within 2 s, so a
 * load balancer or `npm start` can tell a live process from a useful one:
 * 200 `ready`, 200 `degraded` (serving, but an optional dependency such as
 * Redis or the event stream is away), 503 `unavailable`; `checks` gives each
 * dependency's state. Returns false when the request is for another path.
 */
export async function handleHealthRequest(
  req: IncomingMessage,
  res: ServerResponse,
  checks: readonly ReadinessCheck[],
): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/health') {
    sendJson(res, 200, { status: 'ok' });
    return true;
  }
  if (path === '/ready') {
    const result = await readiness(checks);
    sendJson(res, result.status === 'unavailable' ? 503 : 200, result);
    return true;
  }
  return false;
}
