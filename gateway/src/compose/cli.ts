import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generatedSchemaFile, SCHEMA_FILES } from './generated-files.js';

/**
 * `npm run compose` writes gateway/supergraph.graphql from the subgraph
 * schemas; `npm run schema` (`--public`) writes the public client schema to
 * schema.graphql at the root. With `--check` either fails when the committed
 * file is stale.
 */
const kind = process.argv.includes('--public') ? 'public' : 'supergraph';
const { path: file, command } = SCHEMA_FILES[kind];
const target = fileURLToPath(new URL(`../../../${file}`, import.meta.url));
const content = generatedSchemaFile(kind);

if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== content) {
    console.error(`${file} is stale: run \`${command}\` and commit the result`);
    process.exit(1);
  }
  console.log(`${file} is up to date`);
} else {
  await writeFile(target, content);
  console.log(`wrote ${target}`);
}
