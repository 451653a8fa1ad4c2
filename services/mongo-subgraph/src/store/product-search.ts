import type { Document, Filter } from 'mongodb';
import type { ProductDetailsDocument } from '../models.js';
import type { MongoStore } from './collections.js';

/**
 * The search aggregation over `product_details` (every product has a document:
 * name and sku copied from product events, details where written). search.ts
 * checks the input and pages; this is what MongoDB runs. Its copies lag behind
 * their owner's events anyway, so it reads where MONGO_READ_PREFERENCE says.
 */

/** A matching product with the fields its sorts order by. */
export type SearchRow = { productId: string; score: number; ratingAverage: number; productCreatedAt: Date };

/** What to find: words (lower-case), conditions on indexed fields, and one keyset page in a sort. */
export interface SearchQuery {
  words: string[];
  /** Category, tags and attribute conditions, matched first. */
  filters: Filter<ProductDetailsDocument>;
  /** The rows after the cursor, on the projected sort fields; null for a first page. */
  after: Document | null;
  /** The sort's fields, all descending. */
  sortFields: string[];
  limit: number;
}

const escapeRegex = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Products matching every word (in name, sku, description or tags, any case) and every filter. */
function matchOf(words: string[], filters: Filter<ProductDetailsDocument>): Filter<ProductDetailsDocument> {
  const match = { ...filters };
  if (words.length > 0) {
    match.$and = words.map((word) => {
      const regex = new RegExp(escapeRegex(word), 'i');
      return { $or: [{ name: regex }, { sku: regex }, { description: regex }, { tags: regex }] };
    });
  }
  return match;
}

const contains = (field: string, word: string) => ({
  $regexMatch: { input: { $ifNull: [field, ''] }, regex: escapeRegex(word), options: 'i' },
});

/** Relevance: 3 per word in the name or sku, 2 per word that is a tag, 1 per word in the description. */
function scoreOf(words: string[]): Document {
  if (words.length === 0) return { $literal: 0 };
  return {
    $add: words.map((word) => ({
      $add: [
        { $cond: [{ $or: [contains('$name', word), contains('$sku', word)] }, 3, 0] },
        { $cond: [{ $in: [word, { $ifNull: ['$tags', []] }] }, 2, 0] },
        { $cond: [contains('$description', word), 1, 0] },
      ],
    })),
  };
}

/** One page of matching products (up to `limit` rows) in one aggregation: match on indexed fields first, score, sort. */
export function searchRows(store: MongoStore, query: SearchQuery): Promise<SearchRow[]> {
  return store.productDetailsForSearch
    .aggregate<SearchRow>([
      { $match: matchOf(query.words, query.filters) },
      {
        $project: {
          _id: 0,
          productId: 1,
          productCreatedAt: { $ifNull: ['$productCreatedAt', '$createdAt'] },
          ratingAverage: { $ifNull: ['$rating.average', 0] },
          score: scoreOf(query.words),
        },
      },
      ...(query.after ? [{ $match: query.after }] : []),
      { $sort: Object.fromEntries(query.sortFields.map((field) => [field, -1 as const])) },
      { $limit: query.limit },
    ])
    .toArray();
}

/** How many products match the words and filters (a connection's totalCount). */
export function countMatches(
  store: MongoStore,
  { words, filters }: Pick<SearchQuery, 'words' | 'filters'>,
): Promise<number> {
  return store.productDetailsForSearch.countDocuments(matchOf(words, filters));
}
