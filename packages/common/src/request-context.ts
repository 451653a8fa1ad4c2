import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What every log line written while serving one request carries. */
export interface RequestContext {
  requestId: string;
}

/**
 * The request being served, for the code that runs on its behalf however
 * deep: the logger adds its id to every line (see logger.ts).
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();

export const REQUEST_ID_HEADER = 'x-request-id';
// A client's id is kept only if it is short and plain, so it cannot forge log lines.
const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The client's `x-request-id` when it is usable, else a new one; written back
 * on the request (so proxies and the gateway's upstream calls carry it) and on
 * the response.
 */
export function adoptRequestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const requestId = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
  req.headers[REQUEST_ID_HEADER] = requestId;
  res.setHeader(REQUEST_ID_HEADER, requestId);
  return requestId;
}

/** Serves one request inside its context: its id is on every log line written meanwhile. */
export function withRequestContext<T>(req: IncomingMessage, res: ServerResponse, serve: () => T): T {
  return requestContext.run({ requestId: adoptRequestId(req, res) }, serve);
}
