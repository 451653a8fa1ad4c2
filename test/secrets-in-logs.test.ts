import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { ADMIN_SCOPE } from '@polystore/common';
import { createGateway } from '@polystore/gateway';
import { composeSupergraph } from '@polystore/gateway/compose';
import { bearer, graphqlRequest, testServiceContext, testToken } from '@polystore/testing';
import { subscribeOverWebSocket } from '@polystore/testing/subscriptions';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Nothing secret in any log line at any level: every service of the stack
 * logs at `trace` into one captured stream while requests carry a token, a
 * cookie, forwarded claims and variables, a subgraph fails mid-request (its
 * connection is cut after it has read the request, so the gateway reports
 * the failure with the request it sent), the storage subgraph hands out a
 * presigned URL, and a graphql-ws client subscribes with its token in
 * `connectionParams`. Then no line holds any of them.
 */
const lines: string[] = [];
const logs = new Writable({
  write(chunk, _encoding, done) {
    lines.push(String(chunk));
    done();
  },
});

let stack: TestStack;
/** In front of the sql-subgraph: forwards each request, records what the gateway sent, then cuts the connection. */
let cutter: Server;
let failing: { url: string; close(): Promise<void> };
const sentToSubgraph: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ LOG_LEVEL: 'trace' }, { logs });
  const target = new URL(stack.subgraphUrls.sql);
  cutter = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () => {
      sentToSubgraph.push(Buffer.concat(body).toString());
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        // The subgraph has read and answered the request: the gateway gets a cut connection instead.
        (answer) => {
          answer.resume();
          res.destroy();
        },
      );
      upstream.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((resolve) => cutter.listen(0, '127.0.0.1', resolve));
  const viaCutter = `http://127.0.0.1:${(cutter.address() as { port: number }).port}/graphql`;
  const context = testServiceContext({ ...stack.env, LOG_LEVEL: 'trace', SQL_SUBGRAPH_URL: viaCutter }, logs);
  const gateway = await createGateway({
    ...context,
    supergraph: composeSupergraph({ ...stack.subgraphUrls, sql: viaCutter }),
  });
  failing = { url: await gateway.listen(0), close: () => context.teardown.close() };
});

afterAll(async () => {
  await failing?.close();
  await new Promise((resolve) => cutter?.close(resolve));
  await stack?.dispose();
});

describe('logs', () => {
  it('hold no token, cookie, signature, claim, variable or presigned URL signature, even at trace', async () => {
    const sub = randomUUID();
    const claimValue = `claim-${randomUUID()}`;
    const token = testToken({ sub, scope: ADMIN_SCOPE, team: claimValue });
    const cookie = `session-${randomUUID()}`;
    const variableValue = randomUUID();
    const headers = { ...bearer(token), cookie: `session=${cookie}` };
    const PRODUCT = 'query Probe($id: ID!) { product(id: $id) { id name } }';

    // A subgraph fails mid-request: the gateway answers with an error and logs it.
    const failed = await graphqlRequest(failing.url, PRODUCT, { id: variableValue }, { headers });
    expect(failed.errors?.length).toBeGreaterThan(0);
    expect(sentToSubgraph.length).toBeGreaterThan(0);
    const signed = JSON.parse(sentToSubgraph[0]!) as { extensions: Record<string, unknown> };
    const signature = signed.extensions['hmac-signature'] as string;
    expect(signature).toEqual(expect.any(String));

    // The same through the working gateway, and a presigned upload URL from the storage subgraph.
    expect((await graphqlRequest(stack.gatewayUrl, PRODUCT, { id: variableValue }, { headers })).errors).toBeFalsy();
    const created = await graphqlRequest(
      stack.gatewayUrl,
      `mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      { input: { sku: `LOGS-${variableValue}`, name: 'Logged', price: { amount: 100, currency: 'EUR' }, stock: 1 } },
      { headers },
    );
    const productId = (created.data as { createProduct: { id: string } }).createProduct.id;
    const upload = await graphqlRequest(
      stack.gatewayUrl,
      `mutation ($input: RequestUploadInput!) { requestUpload(input: $input) { url } }`,
      { input: { ownerType: 'PRODUCT', ownerId: productId, filename: 'a.png', contentType: 'image/png', size: 1 } },
      { headers },
    );
    const presigned = new URL((upload.data as { requestUpload: { url: string } }).requestUpload.url);
    const amzSignature = presigned.searchParams.get('X-Amz-Signature')!;
    const amzCredential = presigned.searchParams.get('X-Amz-Credential')!;
    expect(amzSignature).toMatch(/^[0-9a-f]{64}$/);

    // A token in graphql-ws connectionParams.
    const subscription = subscribeOverWebSocket(
      stack.gatewayUrl,
      'subscription ($id: ID) { inventoryChanged(productId: $id) { id } }',
      { id: variableValue },
      { token },
    );
    await graphqlRequest(stack.gatewayUrl, '{ products(first: 1) { totalCount } }', {}, { headers });
    await subscription.dispose();

    const log = lines.join('');
    // The run did log, the failure included: the search below looks at real lines.
    expect(lines.length).toBeGreaterThan(50);
    expect(log).toMatch(/"errors":\[\{"message":[^}]*"serviceName":"sql"/);
    const secrets = {
      token,
      tokenSignature: token.split('.')[2]!,
      cookie,
      signature,
      sub,
      claimValue,
      variableValue,
      amzSignature,
      amzCredential,
    };
    const found = Object.entries(secrets)
      .filter(([, secret]) => log.includes(secret))
      .map(([name]) => `${name}: ${lines.find((line) => line.includes(secrets[name as keyof typeof secrets]))}`);
    expect(found).toEqual([]);
  });
});
