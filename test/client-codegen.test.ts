import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { asAdmin, graphqlRequest } from '@polystore/testing';
import { startTestStack, type TestStack } from './support/stack.js';
import { fetchProductPage } from '../examples/client/product-page.js';

/**
 * A client built the way the README shows: graphql-codegen's client preset
 * over an operation in examples/, against the committed public schema, then
 * the typed operation run through the gateway.
 */
const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.dispose();
});

describe('client codegen example', () => {
  it('generates, from schema.graphql, exactly the committed typed operations', async () => {
    // The codegen CLI itself, as a client project runs it; --check fails when the output would change.
    const { stdout } = await run(
      process.execPath,
      ['node_modules/@graphql-codegen/cli/cjs/bin.js', '--config', 'examples/client/codegen.ts', '--check'],
      { cwd: root, env: { ...process.env, NODE_OPTIONS: '' } },
    ).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`examples/client/generated is stale or the operation is invalid:\n${err.stdout}${err.stderr}`);
    });
    expect(stdout).not.toMatch(/error/i);
  }, 60_000);

  it('runs the typed operation through the gateway', async () => {
    const created = await graphqlRequest(
      stack.gatewayUrl,
      `mutation { createProduct(input: { sku: "CLIENT-1", name: "Typed", price: { amount: 1200, currency: "USD" }, stock: 1 }) { id } }`,
      {},
      { headers: asAdmin() },
    );
    const id = created.data!.createProduct.id as string;
    const product = await fetchProductPage(stack.gatewayUrl, id);
    expect(product).toEqual({
      id,
      sku: 'CLIENT-1',
      name: 'Typed',
      price: { amount: 1200, currency: 'USD' },
      details: null,
      images: [],
    });
  });
});
