import { badUserInput, decodeCursor, toConnection, type Connection } from '@polystore/common';
import type { Document, Filter } from 'mongodb';
import type { ProductDetailsDocument } from './models.js';
import type { MongoStore } from './store/collections.js';
import { withMongoErrors } from './store/errors.js';
import { afterKey } from './store/keyset.js';
import { countMatches, searchRows, type SearchRow } from './store/product-search.js';
import { ATTRIBUTE_NAME, requireCategory, requireTags } from './validation.js';

export type SearchSort = 'RELEVANCE' | 'RATING' | 'NEWEST';

export interface AttributeFilterInput {
  name: string;
  eq?: unknown;
  gt?: number | null;
  gte?: number | null;
  lt?: number | null;
  lte?: number | null;
}

export interface SearchInput {
  text?: string | null;
  category?: string | null;
  tags?: readonly string[] | null;
  attributes?: readonly AttributeFilterInput[] | null;
  sort: SearchSort;
  size: number;
  after?: string | null;
}

const MAX_WORDS = 10;
const MAX_FILTERS = 20;
/** The fields each sort orders by, all descending; the last ones break ties, so the order is total. */
const SORT_FIELDS: Record<SearchSort, string[]> = {
  RELEVANCE: ['score', 'productCreatedAt', 'productId'],
  RATING: ['ratingAverage', 'productCreatedAt', 'productId'],
  NEWEST: ['productCreatedAt', 'productId'],
};

/** A row's sort key as a cursor holds it (dates as milliseconds). */
const sortKey = (sort: SearchSort, row: SearchRow) =>
  SORT_FIELDS[sort].map((field) => {
    const value = row[field as keyof SearchRow];
    return value instanceof Date ? value.getTime() : value;
  });

/** Words of the text, lower-case, at most 10 of 1 to 64 characters. */
export function searchWords(text: string | null | undefined): string[] {
  const words = [...new Set((text ?? '').toLowerCase().split(/\s+/).filter(Boolean))];
  if (words.length > MAX_WORDS || words.some((word) => word.length > 64)) {
    throw badUserInput(`text must have at most ${MAX_WORDS} words of at most 64 characters`, { argumentName: 'text' });
  }
  return words;
}

/**
 * Attribute filters become `attributes.<name>` conditions. Names are checked
 * like attribute definitions (no `$`, no dots) and values must be scalars, so
 * no client value can become an operator.
 */
export function attributeConditions(filters: readonly AttributeFilterInput[]): Filter<ProductDetailsDocument> {
  if (filters.length > MAX_FILTERS)
    throw badUserInput(`at most ${MAX_FILTERS} attribute filters`, { argumentName: 'attributes' });
  const conditions: Record<string, unknown> = {};
  for (const { name, eq, gt, gte, lt, lte } of filters) {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw badUserInput(`attribute name "${name}" must be a letter then letters or digits`, {
        argumentName: 'attributes',
      });
    }
    const range = Object.entries({ $gt: gt, $gte: gte, $lt: lt, $lte: lte }).filter(([, value]) => value != null);
    const hasEq = eq !== undefined && eq !== null;
    if (hasEq === range.length > 0 || (hasEq && !['string', 'number', 'boolean'].includes(typeof eq))) {
      throw badUserInput(`filter on ${name} needs either eq (a string, number or boolean) or a numeric range`, {
        argumentName: 'attributes',
        attribute: name,
      });
    }
    if (Object.hasOwn(conditions, `attributes.${name}`)) {
      throw badUserInput(`attribute ${name} is filtered twice`, { argumentName: 'attributes', attribute: name });
    }
    conditions[`attributes.${name}`] = hasEq ? eq : Object.fromEntries(range);
  }
  return conditions as Filter<ProductDetailsDocument>;
}

/** Rows after the cursor's key in the sort's order (each field descending). */
function afterCondition(sort: SearchSort, after: string): Document {
  const fields = SORT_FIELDS[sort];
  const key = decodeCursor(after, fields.length);
  const values = fields.map((field, i) => {
    const value = key[i];
    const expected = field === 'productId' ? 'string' : 'number';
    if (typeof value !== expected) decodeCursor('', fields.length); // throws the cursor error
    return field === 'productCreatedAt' ? new Date(value as number) : value;
  });
  return afterKey(fields, values);
}

/**
 * Products matching every word, the category, every tag and every attribute
 * filter, one keyset page in the sort (the aggregation is store/product-search.ts).
 */
export async function searchProducts(store: MongoStore, input: SearchInput): Promise<Connection<{ id: string }>> {
  const query = {
    words: searchWords(input.text),
    filters: {
      ...(input.category ? { category: requireCategory(input.category) } : {}),
      ...(input.tags?.length ? { tags: { $all: requireTags(input.tags) } } : {}),
      ...attributeConditions(input.attributes ?? []),
    },
    after: input.after ? afterCondition(input.sort, input.after) : null,
    sortFields: SORT_FIELDS[input.sort],
    limit: input.size + 1,
  };
  const rows = await withMongoErrors(() => searchRows(store, query));
  const connection = toConnection(
    rows,
    input.size,
    () => withMongoErrors(() => countMatches(store, query)),
    (row) => sortKey(input.sort, row),
  );
  return {
    ...connection,
    edges: connection.edges.map(({ cursor, node }) => ({ cursor, node: { id: node.productId } })),
  };
}
