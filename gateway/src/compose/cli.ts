import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { composeGraphs } from './compose.js';

/**
 * `npm run compose` writes gateway/supergraph.graphql from the subgraph
 * schemas; `npm run schema` (`--public`) writes the public client schema to
 * schema.graphql at the root. With `--check` either fails when the committed
 * file is stale.
 */
const publicSchema = process.argv.includes('--public');
const file = publicSchema ? 'schema.graphql' : 'gateway/supergraph.graphql';
const target = fileURLToPath(new URL(`../../../${file}`, import.meta.url));
const graphs = composeGraphs();
const content = publicSchema ? graphs.publicSchema : graphs.supergraph;

if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== content) {
    console.error(`${file} is stale: run \`npm run ${publicSchema ? 'schema' : 'compose'}\` and commit the result`);
    process.exit(1);
  }
  console.log(`${file} is up to date`);
} else {
  await writeFile(target, content);
  console.log(`wrote ${target}`);
}
