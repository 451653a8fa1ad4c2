import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';

type FetchAPI = Parameters<NonNullable<GatewayPlugin['onRequest']>>[0]['fetchAPI'];

/** 413 with a code; the connection closes, so a client still sending is cut off. */
function tooLarge(fetchAPI: FetchAPI, maxBytes: number): Response {
  return fetchAPI.Response.json(
    { errors: [{ message: `request body exceeds ${maxBytes} bytes`, extensions: { code: 'BAD_REQUEST' } }] },
    { status: 413, headers: { connection: 'close' } },
  );
}

/**
 * Reads a body of unknown length, at most `maxBytes` of it: undefined (and the
 * rest left unread) as soon as it grows past the limit, so nothing beyond it
 * is ever buffered.
 */
async function readAtMost(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(new ArrayBuffer(size));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Request bodies larger than GATEWAY_MAX_BODY_BYTES get 413 BAD_REQUEST before
 * they are parsed. A declared Content-Length is checked before anything is
 * read; a body without one (chunked) is read up to the limit and refused the
 * moment it passes it, then handed to the runtime's own parser as it was.
 */
export function useBodyLimit(maxBytes: number): GatewayPlugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const declared = Number(request.headers.get('content-length') ?? 0);
      if (declared > maxBytes) endResponse(tooLarge(fetchAPI, maxBytes));
    },
    async onRequestParse({ request, requestParser, setRequestParser, endResponse, fetchAPI }) {
      if (request.headers.has('content-length') || !request.body || !requestParser) return;
      const bytes = await readAtMost(request.body, maxBytes);
      if (!bytes) {
        endResponse(tooLarge(fetchAPI, maxBytes));
        return;
      }
      const buffered = new fetchAPI.Request(request.url, {
        method: request.method,
        headers: request.headers,
        body: bytes,
      });
      setRequestParser(() => requestParser(buffered));
    },
  };
}
