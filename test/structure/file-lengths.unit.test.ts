import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The length limits of the style guide: no source file over 300 lines, no test
 * file (or test helper) over 400. Generated files (under `generated/`, or opening
 * with the line that names what writes them) are left out.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TREES = ['packages', 'services', 'gateway', 'tools', 'test', 'bench', 'examples'];
const SKIPPED = new Set(['node_modules', 'dist', 'generated', '.data', 'results']);
const SOURCE_LIMIT = 300;
const TEST_LIMIT = 400;

function* codeFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* codeFiles(path);
    else if (/\.(ts|js|cjs|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

const isTest = (path: string) => /(^|\/)test\//.test(path) || /\.test\.ts$/.test(path);
const isGenerated = (text: string) => /^\/\/.*(generated|do not edit)/i.test(text.split('\n', 1)[0] ?? '');

it('keeps every source file within 300 lines and every test file within 400', () => {
  const over: string[] = [];
  for (const tree of TREES) {
    for (const file of codeFiles(join(ROOT, tree))) {
      const text = readFileSync(file, 'utf8');
      if (isGenerated(text)) continue;
      const path = relative(ROOT, file);
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      const limit = isTest(path) ? TEST_LIMIT : SOURCE_LIMIT;
      if (lines > limit) over.push(`${path}: ${lines} lines (limit ${limit})`);
    }
  }
  expect(over).toEqual([]);
});
