import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderEnvExample } from './env-example.js';
import { renderConfigTables, withConfigTables } from './readme-table.js';

/**
 * `npm run env-example` writes `.env.example` and the README's tables of
 * variables from the declarations in `../variables/`; with `--check` it fails
 * when either committed file is stale instead.
 */
const root = new URL('../../../../../', import.meta.url);
const check = process.argv.includes('--check');

const targets: [file: string, render: (committed: string) => string][] = [
  ['.env.example', () => renderEnvExample()],
  ['README.md', (readme) => withConfigTables(readme, renderConfigTables())],
];

let stale = false;
for (const [file, render] of targets) {
  const path = fileURLToPath(new URL(file, root));
  const committed = await readFile(path, 'utf8');
  const content = render(committed);
  if (content === committed) console.log(`${file} is up to date`);
  else if (check) {
    console.error(`${file} is stale: run \`npm run env-example\` and commit the result`);
    stale = true;
  } else {
    await writeFile(path, content);
    console.log(`wrote ${file}`);
  }
}
if (stale) process.exit(1);
