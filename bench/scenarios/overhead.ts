import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testRedis } from '@polystore/testing/stores';
import { compareSides, ratio } from '../lib/compare.js';
import type { Component } from '../lib/process.js';
import { tracked } from '../lib/cleanup.js';
import type { Scenario } from '../lib/scenario.js';
import { startEngineFixture, startOurGateway } from './engine.js';
import { verify } from './e2e.js';

const QUERY = '{ topProducts(first: 5) { upc name price weight } }';

/**
 * What the gateway adds to a request: one single-subgraph query sent straight
 * to the in-memory products subgraph, then through our gateway. De-duplication
 * is off (it would hide the cost by sharing answers) and one connection sends
 * one request at a time, so p50 is latency, not queueing. The e2e scenario
 * repeats this on the real sql-subgraph, where the subgraph does real work.
 */
export const overhead: Scenario = {
  name: 'overhead',
  description: 'one single-subgraph query direct to the subgraph vs through our gateway (latency ratio; target < 1.3x)',
  async run(knobs) {
    const dir = await mkdtemp(join(tmpdir(), 'polystore-bench-overhead-'));
    const redis = tracked(await testRedis());
    const folder = tracked({ dispose: () => rm(dir, { recursive: true, force: true }) });
    const started: Component[] = [];
    try {
      const fixture = await startEngineFixture(dir);
      started.push(fixture.subgraphs);
      const gateway = await startOurGateway(fixture.supergraphFile, false, redis);
      started.push(gateway);
      const sides = [
        { name: 'through polystore gateway', url: gateway.ready.url as string, component: gateway },
        { name: 'direct to subgraph', url: fixture.urls.products!, component: fixture.subgraphs },
      ];
      for (const side of sides) await verify(side.url, QUERY);
      const connections = 1;
      const [via, direct] = await compareSides(
        'overhead',
        `single subgraph, ${connections} conns`,
        sides,
        [JSON.stringify({ query: QUERY })],
        { ...knobs, connections },
      );
      via!.extra = {
        'x mean': ratio(via!, direct!, 'mean'),
        'x cpu/req': ratio(via!, direct!, 'cpuUs'),
        'x p50': ratio(via!, direct!, 'p50'),
        'x p99': ratio(via!, direct!, 'p99'),
        'x rps': ratio(via!, direct!),
      };
      return [via!, direct!];
    } finally {
      for (const component of started.reverse()) await component.stop();
      await redis.dispose();
      await folder.dispose();
    }
  },
};
