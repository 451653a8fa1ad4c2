import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { composeSupergraph } from './compose.js';

/**
 * `npm run compose` writes gateway/supergraph.graphql from the subgraph
 * schemas; `npm run compose -- --check` fails when the committed file is stale.
 */
const target = fileURLToPath(new URL('../../supergraph.graphql', import.meta.url));
const supergraph = composeSupergraph();

if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== supergraph) {
    console.error('gateway/supergraph.graphql is stale: run `npm run compose` and commit the result');
    process.exit(1);
  }
  console.log('gateway/supergraph.graphql is up to date');
} else {
  await writeFile(target, supergraph);
  console.log(`wrote ${target}`);
}
