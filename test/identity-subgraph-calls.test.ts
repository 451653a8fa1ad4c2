import { createHmac } from 'node:crypto';
import { signedExtensions } from '@polystore/common';
import { errorCodes, rawRequest, startedOncePerFile, TEST_AUTH_ENV } from '@polystore/testing';
import { startTestStack } from './support/stack.js';

/**
 * Subgraphs run only what the gateway signed: unsigned, forged, altered,
 * replayed and GET requests are refused.
 */
const stack = startedOncePerFile(startTestStack);

describe('subgraphs answer only the gateway', () => {
  const query = '{ _service { sdl } }';
  it.each(['sql', 'mongo', 'storage'] as const)('the %s subgraph refuses a direct unsigned call', async (name) => {
    const response = await fetch(stack.subgraphUrls[name], {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(401);
    expect(errorCodes((await response.json()) as never)).toEqual(['UNAUTHENTICATED']);
  });

  it.each(['sql', 'mongo', 'storage'] as const)(
    'the %s subgraph refuses a GET, even one carrying a validly signed body, and runs nothing from its URL',
    async (name) => {
      const url = stack.subgraphUrls[name];
      const signed = JSON.stringify({
        query,
        extensions: signedExtensions(TEST_AUTH_ENV.SUBGRAPH_SIGNING_SECRET, { query }),
      });
      const other = '{ __typename }';
      // fetch cannot send a body with GET; an attacker's client can.
      const answer = await rawRequest('GET', `${url}?query=${encodeURIComponent(other)}`, signed);
      expect(answer.status).toBe(405);
      expect(JSON.parse(answer.text)).toEqual({
        errors: [expect.objectContaining({ extensions: { code: 'METHOD_NOT_ALLOWED' } })],
      });
    },
  );

  it('refuses a forged signature, and claims changed after signing', async () => {
    const url = stack.subgraphUrls.sql;

    const forged = createHmac('sha256', 'not-the-secret').update(query).digest('base64');
    const post = (body: object) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ query, extensions: { 'hmac-signature': forged } })).status).toBe(401);

    const secret = TEST_AUTH_ENV.SUBGRAPH_SIGNING_SECRET;
    const signed = signedExtensions(secret, { query, extensions: { jwt: { payload: { sub: 'u1' } } } });
    expect((await post({ query, extensions: signed })).status).toBe(200);
    const escalated = { ...signed, jwt: { payload: { sub: 'u1', scope: 'admin' } } };
    expect((await post({ query, extensions: escalated })).status).toBe(401);
  });

  describe('replayed signatures', () => {
    const post = (url: string, extensions: Record<string, unknown>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, extensions }),
      });
    const secret = TEST_AUTH_ENV.SUBGRAPH_SIGNING_SECRET;

    it.each(['sql', 'mongo', 'storage'] as const)(
      'the %s subgraph refuses a signature older than its window, and answers a fresh one',
      async (name) => {
        const url = stack.subgraphUrls[name];
        // Signed ten minutes ago (the window is SUBGRAPH_SIGNATURE_MAX_AGE_SECONDS, 60 by default).
        const old = signedExtensions(secret, { query }, Date.now() - 10 * 60_000);
        const refused = await post(url, old);
        expect(refused.status).toBe(401);
        expect(errorCodes((await refused.json()) as never)).toEqual(['UNAUTHENTICATED']);
        expect((await post(url, signedExtensions(secret, { query }))).status).toBe(200);
      },
    );

    it('refuses a signing time changed after signing, and a signature without one', async () => {
      const url = stack.subgraphUrls.sql;
      const fresh = signedExtensions(secret, { query });
      expect((await post(url, { ...fresh, 'signed-at': (fresh['signed-at'] as number) + 1 })).status).toBe(401);
      const { 'signed-at': _dropped, ...untimed } = fresh;
      expect((await post(url, untimed)).status).toBe(401);
    });
  });
});
