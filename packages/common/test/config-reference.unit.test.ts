import { readFileSync } from 'node:fs';
import { CONFIG_SECTIONS, CONFIG_VARIABLE_DECLARATIONS } from '../src/config/config.js';
import { renderEnvExample } from '../src/config/reference/env-example.js';
import { renderConfigTables, withConfigTables } from '../src/config/reference/readme-table.js';

const repoFile = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('the documentation written from the config declarations', () => {
  it('is what .env.example holds (`npm run env-example` rewrites it)', () => {
    expect(repoFile('.env.example')).toBe(renderEnvExample());
  });

  it("is what the README's tables of variables hold (`npm run env-example` rewrites them)", () => {
    const readme = repoFile('README.md');
    expect(withConfigTables(readme, renderConfigTables())).toBe(readme);
  });

  it('gives every variable a section and one line of doc', () => {
    for (const variable of CONFIG_VARIABLE_DECLARATIONS) {
      expect(CONFIG_SECTIONS).toContain(variable.section);
      expect(variable.name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(variable.doc).toMatch(/^[^\n]+\.$/);
    }
  });

  it('gives no secret a value anyone could read in the repository, but for the embedded S3 server', () => {
    const withDefault = CONFIG_VARIABLE_DECLARATIONS.filter((variable) => variable.secret && 'default' in variable);
    expect(withDefault.map((variable) => variable.name)).toEqual(['S3_SECRET_ACCESS_KEY']);
  });
});
