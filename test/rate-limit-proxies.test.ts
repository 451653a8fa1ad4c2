import { composeSupergraph } from '@polystore/gateway/compose';
import { createGateway } from '@polystore/gateway';
import { testServiceContext } from '@polystore/testing';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Behind a load balancer every client arrives from the balancer's address:
 * with GATEWAY_TRUSTED_PROXIES naming it, an anonymous client is the address
 * the balancer forwarded (X-Forwarded-For, read from the right), so clients
 * keep budgets of their own and a client cannot pick its budget by writing
 * addresses further left. Without it, X-Forwarded-For is never believed.
 */
let stack: TestStack;
let untrusting: string;
let closeUntrusting: () => Promise<void>;

beforeAll(async () => {
  // The test's requests come from 127.0.0.1: the balancer, for this gateway.
  stack = await startTestStack({ GATEWAY_RATE_LIMIT: '3', GATEWAY_TRUSTED_PROXIES: '127.0.0.1, ::1' });
  const context = testServiceContext({ ...stack.env, GATEWAY_TRUSTED_PROXIES: '' });
  closeUntrusting = () => context.teardown.close();
  const gateway = await createGateway({ ...context, supergraph: composeSupergraph(stack.subgraphUrls) });
  untrusting = await gateway.listen(0);
});

afterAll(async () => {
  await closeUntrusting?.();
  await stack?.dispose();
});

async function statuses(url: string, forwardedFor: string[]): Promise<number[]> {
  const answers: number[] = [];
  for (const address of forwardedFor) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
    });
    await response.text();
    answers.push(response.status);
  }
  return answers;
}

describe('anonymous clients behind a trusted load balancer', () => {
  it('each spend a budget of their own, by the address the balancer forwarded', async () => {
    const first = '203.0.113.1';
    expect(await statuses(stack.gatewayUrl, [first, first, first, first])).toEqual([200, 200, 200, 429]);
    expect(await statuses(stack.gatewayUrl, ['203.0.113.2'])).toEqual([200]);
  });

  it('cannot pick another budget by writing addresses left of the one the balancer added', async () => {
    const forged = (n: number) => `198.51.100.${n}, 203.0.113.1`;
    expect(await statuses(stack.gatewayUrl, [forged(1), forged(2)])).toEqual([429, 429]);
  });
});

describe('without GATEWAY_TRUSTED_PROXIES', () => {
  it('ignores X-Forwarded-For: every request of the connection address spends one budget', async () => {
    const addresses = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'];
    expect(await statuses(untrusting, addresses)).toEqual([200, 200, 200, 429]);
  });
});
