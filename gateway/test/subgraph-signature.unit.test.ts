import { defaultExecutionRequestSerializer } from '@graphql-hive/gateway-runtime';
import {
  NONCE_EXTENSION,
  RESUME_EXTENSION,
  SERVICE_EXTENSION,
  SIGNATURE_EXTENSION,
  SIGNED_AT_EXTENSION,
  verifyRequestSignature,
} from '@polystore/common';
import { parse } from 'graphql';
import { useSigningStamp } from '../src/plugins/signing-stamp.js';
import { useSubgraphSignature } from '../src/plugins/subgraph-signature.js';

const secret = 'gateway-unit-secret-0123456789abcdef012345';

/** What the gateway sends a subgraph for `source`, after its signature plugins ran (as the runtime runs them). */
async function signed(source: string, operationName?: string, extensions: Record<string, unknown> = {}) {
  const [stamp, hmac] = [useSigningStamp(secret), useSubgraphSignature(secret)] as Record<string, any>[];
  let request: Record<string, any> = { document: parse(source), operationName, variables: {}, extensions };
  for (const plugin of [stamp!, hmac!]) {
    await plugin.onSubgraphExecute({
      executionRequest: request,
      setExecutionRequest: (next: Record<string, any>) => (request = next),
    });
  }
  const { query } = JSON.parse(defaultExecutionRequestSerializer(request as never)!) as { query: string };
  // The body the HTTP and WebSocket transports send.
  return { query, ...(operationName ? { operationName } : {}), extensions: request.extensions };
}

const verifies = (body: unknown) => verifyRequestSignature(secret, body, { maxAgeSeconds: 60 });

describe("the gateway's subgraph signature", () => {
  it('signs queries without a nonce, so identical ones stay identical (de-duplicated)', async () => {
    const [a, b] = [await signed('query Q { products { id } }', 'Q'), await signed('query Q { products { id } }', 'Q')];
    expect(verifies(a)).toBe(true);
    expect(a.extensions[NONCE_EXTENSION]).toBeUndefined();
    // Nothing but the signing second (and so the signature) can tell two of them apart.
    const timeless = (body: typeof a) => ({
      ...body,
      extensions: { ...body.extensions, 'signed-at': 0, [SIGNATURE_EXTENSION]: '' },
    });
    expect(timeless(b)).toEqual(timeless(a));
  });

  it('gives every mutation a fresh nonce, covered by the signature', async () => {
    const mutation = 'mutation M { placeOrder(input: {}) { id } }';
    const [a, b] = [await signed(mutation, 'M'), await signed(mutation, 'M')];
    expect(verifies(a) && verifies(b)).toBe(true);
    expect(a.extensions[NONCE_EXTENSION]).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.extensions[NONCE_EXTENSION]).not.toBe(a.extensions[NONCE_EXTENSION]);
    expect(verifies({ ...a, extensions: { ...a.extensions, [NONCE_EXTENSION]: b.extensions[NONCE_EXTENSION] } })).toBe(
      false,
    );
  });

  it('covers the operation name: another one does not verify', async () => {
    const body = await signed('query A { a } query B { b }', 'A');
    expect(verifies(body)).toBe(true);
    expect(verifies({ ...body, operationName: 'B' })).toBe(false);
  });

  it('never sends a service identity or a nonce it did not make', async () => {
    const body = await signed('{ products { id } }', undefined, {
      [SERVICE_EXTENSION]: 'storage-subgraph',
      [NONCE_EXTENSION]: 'chosen-by-someone-else',
      jwt: { payload: { sub: 'u1' } },
    });
    expect(body.extensions[SERVICE_EXTENSION]).toBeUndefined();
    expect(body.extensions[NONCE_EXTENSION]).toBeUndefined();
    expect(body.extensions.jwt).toEqual({ payload: { sub: 'u1' } });
    expect(typeof body.extensions[SIGNATURE_EXTENSION]).toBe('string');
    expect(verifies(body)).toBe(true);
  });

  it('signs a subscription again each time it is sent, over the position to resume from written meanwhile', async () => {
    const body = await signed('subscription S { inventoryChanged { id } }', 'S', { jwt: { payload: { sub: 'u1' } } });
    const sent = () => JSON.parse(JSON.stringify(body)) as { extensions: Record<string, unknown> };
    expect(verifies(sent())).toBe(true);
    // graphql-ws sends the same payload again after a reconnect, minutes later, with where to resume:
    // what it holds was stamped then, what it sends is stamped and signed now.
    const later = Date.now() + 300_000;
    expect(verifyRequestSignature(secret, sent(), { maxAgeSeconds: 60, now: later })).toBe(false);
    body.extensions[SIGNED_AT_EXTENSION] = (body.extensions[SIGNED_AT_EXTENSION] as number) - 300;
    body.extensions[RESUME_EXTENSION] = '1765015200000-3';
    const again = sent();
    expect(verifies(again)).toBe(true);
    expect(again.extensions[SIGNED_AT_EXTENSION]).toBeGreaterThanOrEqual(
      (body.extensions[SIGNED_AT_EXTENSION] as number) + 300,
    );
    expect(again.extensions[RESUME_EXTENSION]).toBe('1765015200000-3');
    // The position is signed: another one does not verify.
    expect(verifies({ ...again, extensions: { ...again.extensions, [RESUME_EXTENSION]: '0-0' } })).toBe(false);
  });
});
