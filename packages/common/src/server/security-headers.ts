import type { ServerResponse } from 'node:http';

/**
 * Headers on every response of every service (JSON answers, errors, `/health`,
 * `/ready`): browsers must take the declared content type as it is, never
 * guess (a JSON error echoing a client's text cannot become a script or a page).
 */
export const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff' } as const;

/** Sets `SECURITY_HEADERS` before anything else answers; headers given to `writeHead` later add to them. */
export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}
