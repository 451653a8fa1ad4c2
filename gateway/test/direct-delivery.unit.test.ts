import type { AddressInfo } from 'node:net';
import { GraphQLError, parse, type ExecutionArgs, type ExecutionResult } from 'graphql';
import WebSocket, { WebSocketServer } from 'ws';
import { directDelivery, MAX_UNSENT_BYTES } from '../src/plugins/subscriptions/direct-delivery.js';

/**
 * Events written straight to a client's socket (`direct-delivery.ts`): the
 * message graphql-ws would send, each result serialised once, and a client
 * that stops reading ended instead of buffered without bound. Over a real
 * WebSocket on 127.0.0.1.
 */
let server: WebSocketServer;
let client: WebSocket;
let socket: WebSocket;
const received: string[] = [];

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
  client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  client.on('message', (data) => received.push(String(data)));
  socket = await accepted;
});

afterAll(async () => {
  client?.terminate();
  await new Promise((resolve) => server?.close(resolve));
});

const argsFor = (socketOfClient: WebSocket): ExecutionArgs =>
  ({ document: parse('subscription { x }'), contextValue: { socket: socketOfClient } }) as unknown as ExecutionArgs;

const nextMessage = async (count: number) => {
  for (let tries = 0; received.length < count && tries < 100; tries++) await new Promise((r) => setTimeout(r, 10));
  return received[count - 1];
};

describe('events written to the client as they come', () => {
  it("sends graphql-ws's own next message, errors as graphql-ws writes them", async () => {
    const delivery = directDelivery();
    const sink = delivery.sinkFor(delivery.remember(argsFor(socket), 'sub-1'))!;
    expect(sink({ data: { x: 1 } })).toBe(true);
    expect(await nextMessage(1)).toBe('{"id":"sub-1","type":"next","payload":{"data":{"x":1}}}');
    const error = new GraphQLError('gone', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
    sink({ data: null, errors: [error] });
    expect(JSON.parse((await nextMessage(2))!)).toEqual({
      id: 'sub-1',
      type: 'next',
      payload: { data: null, errors: [error.toJSON()] },
    });
  });

  it('serialises a result once for every client it goes to', async () => {
    const delivery = directDelivery();
    const first = delivery.sinkFor(delivery.remember(argsFor(socket), 'a'))!;
    const second = delivery.sinkFor(delivery.remember(argsFor(socket), 'b'))!;
    const result: ExecutionResult = { data: { x: 1 } };
    const before = received.length;
    first(result);
    result.data = { x: 2 }; // not seen: the payload was made for the first client already
    second(result);
    expect(await nextMessage(before + 1)).toBe('{"id":"a","type":"next","payload":{"data":{"x":1}}}');
    expect(await nextMessage(before + 2)).toBe('{"id":"b","type":"next","payload":{"data":{"x":1}}}');
  });

  it('knows no sink without a socket or an id', () => {
    const delivery = directDelivery();
    expect(delivery.sinkFor(argsFor(socket))).toBeUndefined();
    expect(delivery.sinkFor(delivery.remember({ ...argsFor(socket), contextValue: {} }, 'x'))).toBeUndefined();
  });

  it('ends a client that stops reading once MAX_UNSENT_BYTES wait unsent beyond its socket buffer', async () => {
    const delivery = directDelivery();
    const sink = delivery.sinkFor(delivery.remember(argsFor(socket), 'slow'))!;
    (client as unknown as { _socket: { pause(): void } })._socket.pause();
    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    while (sent < 1000 && sink({ data: { chunk: `${chunk}${sent}` } })) sent++;
    // The kernel's buffers take some first; then at most MAX_UNSENT_BYTES more.
    expect(sent).toBeGreaterThan(MAX_UNSENT_BYTES / chunk.length);
    expect(sent).toBeLessThan(1000);
    expect(socket.bufferedAmount).toBeGreaterThan(MAX_UNSENT_BYTES);
    expect(socket.bufferedAmount).toBeLessThan(MAX_UNSENT_BYTES + 2 * chunk.length);
  });
});
