import { CONFIG_SECTIONS, CONFIG_VARIABLE_DECLARATIONS } from '../config.js';
import type { Variable } from '../variable.js';
import { bytes, type Entry, type EntrySection } from './entry.js';
import { OTHER_SECTIONS } from './other-variables.js';

/** What the reference says a URL-like variable takes. */
const ALLOWED = {
  url: 'a URL',
  'mongo-url': 'a MongoDB connection string',
  origins: 'origins like https://app.example.com',
} as const;

/** Every variable the documentation lists: the config's, then the tests' and docker compose's. */
export function documentedSections(): EntrySection[] {
  const config = CONFIG_SECTIONS.map((section) => ({
    ...section,
    entries: CONFIG_VARIABLE_DECLARATIONS.filter((variable) => variable.section === section).map(entryOf),
  }));
  return [...config, ...OTHER_SECTIONS];
}

function entryOf(variable: Variable): Entry {
  const { name, doc, secret } = variable;
  switch (variable.kind) {
    case 'integer':
      return { name, doc, secret, value: String(variable.default), allowed: rangeOf(name, variable) };
    case 'text':
      return { name, doc, secret, value: variable.default };
    case 'flag':
      return { name, doc, secret, value: String(variable.default), allowed: 'true or false' };
    case 'one-of':
      return { name, doc, secret, value: variable.default, allowed: variable.values.join(', ') };
    case 'optional-text':
      return { name, doc, secret, example: variable.example, unset: variable.unset };
    case 'url':
    case 'mongo-url':
    case 'origins':
      return { name, doc, secret, example: variable.example, unset: variable.unset, allowed: ALLOWED[variable.kind] };
    case 'secret': {
      const allowed = `at least ${variable.minLength} characters`;
      return { name, doc, secret, example: variable.example, unset: variable.unset, allowed };
    }
  }
}

function rangeOf(name: string, { min, max }: { min?: number; max?: number }): string | undefined {
  const show = (value: number) => (name.endsWith('_BYTES') ? bytes(value) : String(value));
  if (min !== undefined && max !== undefined) return `${show(min)}–${show(max)}`;
  if (min !== undefined) return `${show(min)} or more`;
  return max === undefined ? undefined : `up to ${show(max)}`;
}
