import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import type { Config } from '@polystore/common';

/** The Node request of an HTTP request or of a WebSocket's upgrade, as the runtime's context holds it. */
type NodeRequest = { headers?: IncomingMessage['headers']; socket?: IncomingMessage['socket'] };

/**
 * Who an anonymous request comes from, for rate limits: the connection's own
 * address, or, when it comes from a load balancer named in
 * GATEWAY_TRUSTED_PROXIES, the client address in X-Forwarded-For nearest to
 * the trusted hops (read from the right, as `proxy-addr` does for Express):
 * addresses a client wrote further left are never believed.
 */
export function clientAddressOf(config: Config): (request: NodeRequest | undefined) => string {
  const list = config.gateway.rateLimit.trustedProxies;
  if (!list) return (request) => request?.socket?.remoteAddress ?? 'unknown';
  let trust: ReturnType<typeof proxyAddr.compile>;
  try {
    trust = proxyAddr.compile(
      list
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    );
  } catch (err) {
    throw new Error(`GATEWAY_TRUSTED_PROXIES: ${(err as Error).message}`, { cause: err });
  }
  return (request) => {
    if (!request?.socket?.remoteAddress) return 'unknown';
    if (!request.headers) return request.socket.remoteAddress;
    return proxyAddr(request as IncomingMessage, trust);
  };
}
