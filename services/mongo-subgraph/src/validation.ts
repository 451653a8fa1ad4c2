import { badUserInput } from '@polystore/common';
import type { AttributeDefinition, AttributeType, CategoryDocument } from './models.js';

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

export const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const MAX_ATTRIBUTE_DEFINITIONS = 50;
const MAX_ENUM_VALUES = 100;

/** A category's attribute definitions: named like identifiers, unique, enums with values. */
export function requireAttributeDefinitions(
  definitions: readonly {
    name: string;
    type: AttributeType;
    required?: boolean | null;
    values?: readonly string[] | null;
  }[],
): AttributeDefinition[] {
  if (definitions.length > MAX_ATTRIBUTE_DEFINITIONS) {
    throw badUserInput(`at most ${MAX_ATTRIBUTE_DEFINITIONS} attributes`, { field: 'attributes' });
  }
  const seen = new Set<string>();
  return definitions.map(({ name, type, required, values }) => {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw badUserInput(`attribute name "${name}" must be a letter then up to 63 letters or digits`, {
        field: 'attributes',
        attribute: name,
      });
    }
    if (seen.has(name))
      throw badUserInput(`attribute ${name} is defined twice`, { field: 'attributes', attribute: name });
    seen.add(name);
    const enumerated = type === 'ENUM' || type === 'ENUM_LIST';
    const allowed = [...new Set(values ?? [])];
    if (
      enumerated !== allowed.length > 0 ||
      allowed.length > MAX_ENUM_VALUES ||
      allowed.some((v) => !v || v.length > 64)
    ) {
      throw badUserInput(
        enumerated
          ? `attribute ${name} needs 1 to ${MAX_ENUM_VALUES} values of 1 to 64 characters`
          : `attribute ${name} of type ${type} takes no values`,
        { field: 'attributes', attribute: name },
      );
    }
    return { name, type, required: required ?? false, values: allowed };
  });
}

export function requireCategoryName(value: string): string {
  const name = value.trim();
  if (name.length < 1 || name.length > 100) throw badUserInput('name must have 1 to 100 characters', { field: 'name' });
  return name;
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length <= 1_000;
const CHECKS: Record<AttributeType, (value: unknown, values: string[]) => boolean> = {
  STRING: isString,
  INT: (value) => Number.isSafeInteger(value),
  FLOAT: (value) => typeof value === 'number' && Number.isFinite(value),
  BOOLEAN: (value) => typeof value === 'boolean',
  ENUM: (value, values) => typeof value === 'string' && values.includes(value),
  STRING_LIST: (value) => Array.isArray(value) && value.length <= 100 && value.every(isString),
  ENUM_LIST: (value, values) =>
    Array.isArray(value) && value.every((item) => typeof item === 'string' && values.includes(item)),
};

/** What is wrong with attributes for a category (the first problem, naming the attribute), or null. */
export function attributeProblem(
  category: CategoryDocument,
  attributes: Record<string, unknown>,
): { attribute: string; message: string } | null {
  const definitions = new Map(category.attributes.map((definition) => [definition.name, definition]));
  for (const name of Object.keys(attributes)) {
    if (!definitions.has(name)) {
      return { attribute: name, message: `attribute ${name} is not defined by category ${category.slug}` };
    }
  }
  for (const definition of category.attributes) {
    const value = attributes[definition.name];
    if (value === undefined || value === null) {
      if (definition.required) {
        return {
          attribute: definition.name,
          message: `attribute ${definition.name} is required by category ${category.slug}`,
        };
      }
      continue;
    }
    if (!CHECKS[definition.type](value, definition.values)) {
      const of = definition.values.length > 0 ? ` of ${definition.values.join(', ')}` : '';
      return { attribute: definition.name, message: `attribute ${definition.name} must be ${definition.type}${of}` };
    }
  }
  return null;
}

/**
 * Attributes checked against the category: every key defined, every required
 * one present, every value of its type. The error names the attribute.
 */
export function requireAttributesOf(category: CategoryDocument, attributes: Record<string, unknown>) {
  const problem = attributeProblem(category, attributes);
  if (problem) throw badUserInput(problem.message, { field: 'attributes', attribute: problem.attribute });
  return attributes;
}

const MAX_TITLE = 200;
const MAX_BODY = 10_000;

export function requireRating(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 5) {
    throw badUserInput('rating must be an integer from 1 to 5', { field: 'rating' });
  }
  return value;
}

export function requireTitle(value: string): string {
  const title = value.trim();
  if (title.length < 1 || title.length > MAX_TITLE) {
    throw badUserInput(`title must have 1 to ${MAX_TITLE} characters`, { field: 'title' });
  }
  return title;
}

export function requireBody(value: string): string {
  const body = value.trim();
  if (body.length > MAX_BODY) throw badUserInput(`body must have at most ${MAX_BODY} characters`, { field: 'body' });
  return body;
}
