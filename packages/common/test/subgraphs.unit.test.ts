import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SUBGRAPHS, subgraphDirectory, subgraphEntryPath, subgraphSchemaPath } from '../src/subgraphs.js';

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

describe('the subgraph registry', () => {
  it('gives each subgraph its own name, service, port and variables', () => {
    for (const key of ['name', 'service', 'defaultPort', 'portVariable', 'urlVariable'] as const) {
      const values = SUBGRAPHS.map((subgraph) => subgraph[key]);
      expect(new Set(values).size).toBe(values.length);
    }
    expect(SUBGRAPHS.map((subgraph) => subgraph.defaultPort)).not.toContain(4000); // the gateway's
  });

  it('points at a folder with everything the stack reads: a workspace, schema, codegen mappers and entry point', () => {
    const workspaces = (JSON.parse(readFileSync(root('package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
    for (const subgraph of SUBGRAPHS) {
      expect(workspaces).toContain(subgraphDirectory(subgraph));
      for (const path of [subgraphSchemaPath(subgraph), subgraphEntryPath(subgraph)]) {
        expect(existsSync(root(path))).toBe(true);
      }
      const codegen = JSON.parse(readFileSync(root(`${subgraphDirectory(subgraph)}/codegen.json`), 'utf8')) as {
        contextType: string;
        mappers: Record<string, string>;
      };
      expect(codegen.contextType).toMatch(/#\w+Context$/);
      expect(Object.keys(codegen.mappers).length).toBeGreaterThan(0);
    }
  });
});
