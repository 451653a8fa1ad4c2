import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { freePort } from '@polystore/embedded';
import { composeSupergraph } from '@polystore/gateway/compose';
import { TEST_AUTH_ENV, untilAnswering } from '@polystore/testing';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * SIGTERM on a gateway process under load: requests in flight finish,
 * subscribers are told the server is going away (graphql-ws close 1001), the
 * process exits 0, and no client sees a 5xx or hangs.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
let stack: TestStack;
let dir: string;
let gateway: ChildProcess | undefined;

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(join(tmpdir(), 'polystore-shutdown-'));
});

afterAll(async () => {
  gateway?.kill('SIGKILL');
  await stack?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('gateway shutdown under load', () => {
  it('finishes in-flight requests, closes subscriptions with 1001, exits 0, and no client sees a 5xx or hangs', async () => {
    const supergraph = join(dir, 'supergraph.graphql');
    await writeFile(supergraph, composeSupergraph(stack.subgraphUrls));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    gateway = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/index.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        NODE_OPTIONS: '',
        LOG_LEVEL: 'error',
        GATEWAY_PORT: String(port),
        // Its metrics listener on a free port (9090 may be taken on this machine).
        GATEWAY_METRICS_PORT: '0',
        SUPERGRAPH_PATH: supergraph,
        SUPERGRAPH_POLL_MS: '0',
        REDIS_URL: stack.redis.url,
        REDIS_KEY_PREFIX: stack.redis.keyPrefix,
        SHUTDOWN_TIMEOUT_MS: '10000',
        ...TEST_AUTH_ENV,
        GATEWAY_RATE_LIMIT: '100000',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => gateway!.once('exit', (code) => resolve(code)));
    await untilAnswering(`${base}/ready`);

    let closeCode: number | undefined;
    const client = createClient({
      url: `ws://127.0.0.1:${port}/graphql`,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      on: { closed: (event) => (closeCode ??= (event as { code: number }).code) },
    });
    client.subscribe(
      { query: 'subscription { inventoryChanged { id stock } }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );

    // Eight clients send queries back to back until the gateway is gone (bounded).
    const statuses: number[] = [];
    let refused = 0;
    let hung = 0;
    let stopped = false;
    const worker = async () => {
      for (let sent = 0; sent < 2_000 && !stopped; sent++) {
        try {
          const response = await fetch(`${base}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: '{ products(first: 5) { totalCount edges { node { sku name } } } }' }),
            signal: AbortSignal.timeout(5_000),
          });
          await response.text();
          statuses.push(response.status);
        } catch (err) {
          if ((err as Error).name === 'TimeoutError') hung++;
          else refused++; // connecting after the listener closed
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));
    // Load for a moment, then SIGTERM while requests are in flight.
    for (let attempt = 0; attempt < 100 && statuses.length < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    gateway.kill('SIGTERM');
    const code = await exited;
    gateway = undefined;
    stopped = true;
    await load;
    await client.dispose();

    // 0 only when every resource closed within SHUTDOWN_TIMEOUT_MS: the HTTP server drained, busy keep-alive clients included.
    expect(code).toBe(0);
    expect(statuses.length).toBeGreaterThanOrEqual(50);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(hung).toBe(0);
    expect(closeCode).toBe(1001);
    // Every request the gateway accepted was answered; the rest found no listener.
    expect(statuses.length + refused).toBeGreaterThan(0);
  }, 60_000);
});
