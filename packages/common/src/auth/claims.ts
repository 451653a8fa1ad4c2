import type { IncomingMessage } from 'node:http';
import { CLAIMS_EXTENSION } from './signature.js';
import type { Claims } from './tokens.js';

const claimsByRequest = new WeakMap<object, Claims>();

/**
 * The verified token claims the gateway forwarded with this request (the
 * subgraph server records them after checking the signature); undefined for
 * an anonymous request.
 */
export function requestClaims(request: IncomingMessage | object): Claims | undefined {
  return claimsByRequest.get(request);
}

/** Records the forwarded claims of a request body (`extensions.jwt.payload`). */
export function recordClaims(request: object, body: unknown): void {
  const extensions = (body as { extensions?: Record<string, unknown> } | undefined)?.extensions;
  const forwarded = extensions?.[CLAIMS_EXTENSION] as { payload?: unknown } | undefined;
  const payload = forwarded?.payload;
  if (payload && typeof payload === 'object' && !Array.isArray(payload))
    claimsByRequest.set(request, payload as Claims);
}
