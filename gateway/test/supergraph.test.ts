import { readFileSync } from 'node:fs';
import { composeSupergraph } from '../src/compose/compose.js';

describe('committed supergraph', () => {
  it('matches what the subgraph schemas compose to (run `npm run compose` after changing a schema)', () => {
    const committed = readFileSync(new URL('../supergraph.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(composeSupergraph());
  });

  it('records the default local URL of every subgraph', () => {
    const committed = readFileSync(new URL('../supergraph.graphql', import.meta.url), 'utf8');
    for (const [name, port] of [
      ['sql', 4001],
      ['mongo', 4002],
      ['storage', 4003],
    ] as const) {
      expect(committed).toContain(`@join__graph(name: "${name}", url: "http://127.0.0.1:${port}/graphql")`);
    }
  });
});
