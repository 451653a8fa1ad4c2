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
}

/**
 * Subscribes to `url` (an http URL) over graphql-ws, as a browser or Apollo Client
 * would; the token goes in `connectionParams`.
 */
export function subscribeOverWebSocket(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  { token }: SubscribeOptions = {},
): TestSubscription {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    ...(token ? { connectionParams: { Authorization: `Bearer ${token}` } } : {}),
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
  { token }: SubscribeOptions = {},
): Promise<TestSubscription> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
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
    } catch {
      // aborted by dispose
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
