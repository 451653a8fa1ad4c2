import { compareSides, ratio } from '../lib/compare.js';
import type { Scenario } from '../lib/scenario.js';
import { cpuProfileArgs } from '../lib/cpu-profile.js';
import { onEngineFixture, startOurGateway, startStockGateway } from './engine.js';
import { verify } from './e2e.js';

const QUERY = '{ topProducts(first: 5) { upc name price weight } }';

/**
 * What the gateway adds to a request: one single-subgraph query sent straight
 * to the in-memory products subgraph, then through our gateway, and through the
 * stock Hive Gateway (its CLI: the runtime we build on, nothing of ours).
 * De-duplication is off on ours (it would hide the cost by sharing answers;
 * with one request at a time stock's has nothing to share) and one
 * connection sends one request at a time, so p50 is latency, not queueing. The
 * added latency is the difference of the mean time per request, in µs. The e2e scenario repeats this
 * on the real sql-subgraph, where the subgraph does real work.
 */
export const overhead: Scenario = {
  name: 'overhead',
  description:
    'one single-subgraph query direct to the subgraph vs through our gateway vs through the stock Hive Gateway (added latency in µs, gateway CPU per request)',
  async run(knobs) {
    return onEngineFixture('overhead', async ({ fixture, redis, start }) => {
      const gateway = await start(startOurGateway(fixture.supergraphFile, false, redis, cpuProfileArgs()));
      const stock = await start(startStockGateway(fixture.supergraphFile));
      const sides = [
        { name: 'through polystore gateway', url: gateway.ready.url as string, component: gateway },
        { name: 'through stock Hive Gateway', url: stock.ready.url as string, component: stock },
        { name: 'direct to subgraph', url: fixture.urls.products!, component: fixture.subgraphs },
      ];
      for (const side of sides) await verify(side.url, QUERY);
      const connections = 1;
      const [via, viaStock, direct] = await compareSides(
        'overhead',
        `single subgraph, ${connections} conns`,
        sides,
        [JSON.stringify({ query: QUERY })],
        { ...knobs, connections },
      );
      // One connection, one request at a time: a request takes 1/rps on average, to the µs (autocannon's
      // latencies are whole milliseconds); the client's own share is the same on every side.
      const addedUs = (through: typeof via) => `${Math.round(1e6 / through!.rps! - 1e6 / direct!.rps!)} µs`;
      via!.extra = {
        'added latency': addedUs(via),
        'x mean': ratio(via!, direct!, 'mean'),
        'x p50': ratio(via!, direct!, 'p50'),
        'x p99': ratio(via!, direct!, 'p99'),
        'x rps': ratio(via!, direct!),
        'gateway cpu/req vs stock': ratio(via!, viaStock!, 'cpuUs'),
      };
      viaStock!.extra = { 'added latency': addedUs(viaStock), 'x mean': ratio(viaStock!, direct!, 'mean') };
      return [via!, viaStock!, direct!];
    });
  },
};
