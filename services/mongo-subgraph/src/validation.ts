import { badUserInput } from '@polystore/common';

const CATEGORY = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_ATTRIBUTE_BYTES = 16 * 1024;
const MAX_ATTRIBUTE_DEPTH = 5;

export function requireDescription(value: string): string {
  const description = value.trim();
  if (description.length > 10_000)
    throw badUserInput('description must have at most 10000 characters', { field: 'description' });
  return description;
}

export function requireCategory(value: string): string {
  const category = value.trim().toLowerCase();
  if (category.length > 64 || !CATEGORY.test(category)) {
    throw badUserInput('category must be 1 to 64 lower-case letters, digits and single dashes', { field: 'category' });
  }
  return category;
}

export function requireTags(values: readonly string[]): string[] {
  const tags = [...new Set(values.map((tag) => tag.trim().toLowerCase()))];
  if (tags.length > 50) throw badUserInput('at most 50 tags', { field: 'tags' });
  if (tags.some((tag) => tag.length < 1 || tag.length > 64)) {
    throw badUserInput('each tag must have 1 to 64 characters', { field: 'tags' });
  }
  return tags;
}

/**
 * Attributes are stored as given, so they must be a JSON object whose keys
 * cannot be read as MongoDB operators or paths ($ prefix, dots, NUL), small
 * and shallow enough to index and return.
 */
export function requireAttributes(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badUserInput('attributes must be a JSON object', { field: 'attributes' });
  }
  const visit = (node: unknown, depth: number, path: string): void => {
    if (depth > MAX_ATTRIBUTE_DEPTH)
      throw badUserInput(`attributes nest deeper than ${MAX_ATTRIBUTE_DEPTH} levels`, { field: 'attributes' });
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, depth + 1, `${path}[${i}]`));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key === '' || key.startsWith('$') || key.includes('.') || key.includes('\0')) {
          throw badUserInput(`attribute key "${path}${key}" may not be empty, start with $ or contain a dot`, {
            field: 'attributes',
          });
        }
        visit(child, depth + 1, `${path}${key}.`);
      }
    } else if (typeof node === 'number' && !Number.isFinite(node)) {
      throw badUserInput('attribute numbers must be finite', { field: 'attributes' });
    }
  };
  visit(value, 1, '');
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_ATTRIBUTE_BYTES) {
    throw badUserInput(`attributes exceed ${MAX_ATTRIBUTE_BYTES} bytes`, { field: 'attributes' });
  }
  return value as Record<string, unknown>;
}
