import { readFileSync } from 'node:fs';
import { SUBGRAPHS, subgraphDefaultUrl } from '@polystore/common';
import { composeSupergraph } from '../src/compose/compose.js';

describe('committed supergraph', () => {
  it('matches what the subgraph schemas compose to (run `npm run compose` after changing a schema)', () => {
    const committed = readFileSync(new URL('../supergraph.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(composeSupergraph());
  });

  it('records the default local URL of every subgraph', () => {
    const committed = readFileSync(new URL('../supergraph.graphql', import.meta.url), 'utf8');
    for (const subgraph of SUBGRAPHS) {
      expect(committed).toContain(`@join__graph(name: "${subgraph.name}", url: "${subgraphDefaultUrl(subgraph)}")`);
    }
  });
});
