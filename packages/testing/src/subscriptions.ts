import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** A running subscription: what arrived so far, and how to end it. */
export interface TestSubscription {
  /** Results in arrival order; a transport error is pushed as `{ err }`, the end as `{ complete: true }`. */
  received: unknown[];
  /** The response's content type (SSE only). */
  contentType?: string;
  dispose(): Promise<void>;
}

/** Who subscribes: a token (sent as `Authorization: Bearer …`); anonymous without. */
export interface SubscribeOptions {
  token?: string;
  /** More request headers (of the WebSocket upgrade with graphql-ws), for a load balancer to route by. */
  headers?: Record<string, string>;
  /**
   * Reconnects after a lost connection (graphql-ws only), re-subscribing as
   * browsers' clients do: up to this many attempts in a row. Default 0.
   */
  retryAttempts?: number;
  /** Told when the socket connects and when it closes (graphql-ws only), to account for the time away. */
  onConnection?: (state: 'connected' | 'closed') => void;
}

/**
 * Subscribes to `url` (an http URL) over graphql-ws, as a browser or Apollo Client
 * would; the token goes in `connectionParams`.
 */
export function subscribeOverWebSocket(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  { token, headers, retryAttempts = 0, onConnection }: SubscribeOptions = {},
): TestSubscription {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: headers
      ? class extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, { headers });
          }
        }
      : WebSocket,
    ...(token ? { connectionParams: { Authorization: `Bearer ${token}` } } : {}),
    retryAttempts,
    // Quick retries: the other replica behind the balancer is already there.
    retryWait: async (retries) =>
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** retries, 2_000))),
    shouldRetry: () => true,
    ...(onConnection
      ? { on: { connected: () => onConnection('connected'), closed: () => onConnection('closed') } }
      : {}),
  });
  const received: unknown[] = [];
  client.subscribe(
    { query, variables },
    {
      next: (result) => received.push(result),
      error: (err) => received.push({ err }),
      complete: () => received.push({ complete: true }),
    },
  );
  return { received, dispose: async () => await client.dispose() };
}

/** Subscribes over server-sent events (POST with `accept: text/event-stream`), reading `data:` lines as they come. */
export async function subscribeOverSse(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  { token, headers }: SubscribeOptions = {},
): Promise<TestSubscription> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...headers,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  const received: unknown[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const reading = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          received.push({ complete: true });
          return;
        }
        buffer += decoder.decode(value, { stream: true });
        for (const match of buffer.matchAll(/^data: (.+)$/gm)) received.push(JSON.parse(match[1]!));
        buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
      }
    } catch (err) {
      // Aborted by dispose, or the connection broke (the server died).
      if (!controller.signal.aborted) received.push({ err });
    }
  })();
  return {
    received,
    contentType: response.headers.get('content-type') ?? undefined,
    async dispose() {
      controller.abort();
      await reading;
    },
  };
}

/**
 * Causes events until `subscription` (which starts asynchronously) has received
 * one, and returns its first result; bounded: 20 causes, each followed by up to a
 * second of waiting.
 */
export async function firstEvent(
  subscription: Pick<TestSubscription, 'received'>,
  cause: (attempt: number) => Promise<unknown>,
): Promise<unknown> {
  const { received } = subscription;
  for (let attempt = 0; attempt < 20 && received.length === 0; attempt++) {
    await cause(attempt);
    for (let wait = 0; wait < 20 && received.length === 0; wait++)
      await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return received[0];
}
