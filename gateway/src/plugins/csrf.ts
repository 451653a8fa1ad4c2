import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';

/**
 * CSRF prevention (the runtime's own plugin): a request a browser could send
 * cross-site without a CORS preflight (a GET, or a POST with a form or text
 * content type) must carry `x-graphql-csrf` (or Apollo's
 * `apollo-require-preflight`), which no cross-site form or image can set.
 * JSON POSTs, what clients and the IDE send, are preflighted and pass.
 * Refused: 403 FORBIDDEN.
 */
export function useCsrfPrevention(): GatewayPlugin {
  return useCSRFPrevention({ requestHeaders: ['x-graphql-csrf', 'apollo-require-preflight'] }) as GatewayPlugin;
}
