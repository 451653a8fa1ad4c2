import { Redis } from 'ioredis';
import { startedOncePerFile } from '@polystore/testing';
import { testRedis } from '@polystore/testing/stores';
import { unappliedByGroup } from '../src/backup/positions.js';

/**
 * Where each applying consumer group stands, as a backup records it: outbox
 * events only. The mongo- and storage-subgraphs append live events with ids of
 * their own (UUIDs), which no consumer applies and which no outbox id orders.
 */
const redis = startedOncePerFile(async () => {
  const server = await testRedis();
  const client = new Redis(server.url);
  return { ...server, client, dispose: async () => (client.disconnect(), server.dispose()) };
});

const entry = (id: string, type: string) => JSON.stringify({ id, type, payload: {} });

it("skips the mongo- and storage-subgraphs' live events, read or not, and reads outbox ids past them", async () => {
  const stream = `${redis.keyPrefix}events`;
  const { client } = redis;
  await client.xgroup('CREATE', stream, 'mongo-subgraph', '0', 'MKSTREAM');
  await client.xgroup('CREATE', stream, 'storage-subgraph', '0');
  await client.xgroup('CREATE', stream, 'gateway-response-cache', '0');
  await client.xadd(stream, '*', 'event', entry('7b0c2f9e-4d1a-4c55-9d47-0a6f5f1e2b11', 'ReviewAdded'));
  await client.xadd(stream, '*', 'event', entry('42', 'OrderPlaced'));
  await client.xadd(stream, '*', 'event', entry('43', 'InventoryChanged'));
  // The mongo-subgraph has read the live event and the first outbox event, and acknowledged neither.
  await client.xreadgroup('GROUP', 'mongo-subgraph', 'c1', 'COUNT', 2, 'STREAMS', stream, '>');
  expect(await unappliedByGroup(client, stream)).toEqual({
    'mongo-subgraph': { firstUnappliedId: '42' },
    'storage-subgraph': { firstUnappliedId: '42' },
  });
  // Everything read and acknowledged but a live event at the end: nothing left to apply.
  for (const group of ['mongo-subgraph', 'storage-subgraph']) {
    const read = (await client.xreadgroup('GROUP', group, 'c1', 'STREAMS', stream, '>')) as [string, [string][]][];
    const pending = (await client.xpending(stream, group, '-', '+', 10)) as [string][];
    await client.xack(stream, group, ...pending.map(([id]) => id), ...(read?.[0]?.[1] ?? []).map(([id]) => id));
  }
  await client.xadd(stream, '*', 'event', entry('9f1d6a3c-2b8e-4e7f-8a90-1c2d3e4f5a6b', 'AssetUploaded'));
  expect(await unappliedByGroup(client, stream)).toEqual({
    'mongo-subgraph': { firstUnappliedId: null },
    'storage-subgraph': { firstUnappliedId: null },
  });
});
