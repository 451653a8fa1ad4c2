import type { IncomingMessage } from 'node:http';
import { CLAIMS_EXTENSION, SERVICE_EXTENSION } from './signature.js';
import type { Claims } from './tokens.js';

const claimsByRequest = new WeakMap<object, Claims>();
const serviceByRequest = new WeakMap<object, string>();

/**
 * The verified token claims the gateway forwarded with this request (the
 * subgraph server records them after checking the signature); undefined for
 * an anonymous request.
 */
export function requestClaims(request: IncomingMessage | object): Claims | undefined {
  return claimsByRequest.get(request);
}

/** The subgraph that signed this request as a service-to-service read (`extensions.service`); undefined otherwise. */
export function requestService(request: IncomingMessage | object): string | undefined {
  return serviceByRequest.get(request);
}

/** Records the forwarded claims (`extensions.jwt.payload`) and service identity (`extensions.service`) of a request body. */
export function recordClaims(request: object, body: unknown): void {
  const extensions = (body as { extensions?: Record<string, unknown> } | undefined)?.extensions;
  const forwarded = extensions?.[CLAIMS_EXTENSION] as { payload?: unknown } | undefined;
  const payload = forwarded?.payload;
  if (payload && typeof payload === 'object' && !Array.isArray(payload))
    claimsByRequest.set(request, payload as Claims);
  const service = extensions?.[SERVICE_EXTENSION];
  if (typeof service === 'string' && service !== '') serviceByRequest.set(request, service);
}
