import type { Connection } from '@polystore/common';
import type { ObjectId } from 'mongodb';

/** A Product as other subgraphs reference it: the key only. */
export interface ProductReference {
  id: string;
}

/** A User as other subgraphs reference it: the key only. */
export interface UserReference {
  id: string;
}

export const ATTRIBUTE_TYPES = ['STRING', 'INT', 'FLOAT', 'BOOLEAN', 'ENUM', 'STRING_LIST', 'ENUM_LIST'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  required: boolean;
  /** Allowed values of ENUM and ENUM_LIST attributes; empty otherwise. */
  values: string[];
}

/** One document per category in `categories`, upserted on `slug`. */
export interface CategoryDocument {
  _id?: ObjectId;
  slug: string;
  name: string;
  attributes: AttributeDefinition[];
  updatedAt: Date;
}

/**
 * One document per product in `product_details`, keyed by the SQL product id:
 * every product's search document. `name`, `sku`, `productCreatedAt` and
 * `productUpdatedAt` are copies of the owner's fields (kept from product
 * events, versioned by `productUpdatedAt`); `rating` is a copy of the review
 * aggregate that search sorts by. The details fields exist once
 * upsertProductDetails has written them (`description` tells).
 */
export interface ProductDetailsDocument {
  _id?: ObjectId;
  productId: string;
  description?: string;
  category?: string;
  tags?: string[];
  attributes?: Record<string, unknown>;
  name?: string;
  sku?: string;
  productCreatedAt?: Date;
  productUpdatedAt?: Date;
  rating?: { average: number; count: number };
  /** When details were first written. */
  createdAt?: Date;
  /** When details were last written. */
  updatedAt?: Date;
}

/** A product's document once details were written. */
export type WrittenDetails = ProductDetailsDocument &
  Required<Pick<ProductDetailsDocument, 'description' | 'category' | 'tags' | 'attributes' | 'updatedAt'>>;

/**
 * One document per (product, user) in `reviews`. `_id` is derived from that
 * pair (see review-id.ts), so the `_id` index enforces one review per user
 * per product on every server.
 */
export interface ReviewDocument {
  _id: ObjectId;
  /** The public id, a UUID derived from (productId, userId). */
  id: string;
  productId: string;
  userId: string;
  rating: number;
  title: string;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Progress of a one-time catch-up (search-catch-up.ts), one per name in `backfills`. */
export interface BackfillDocument {
  _id?: ObjectId;
  name: string;
  /** The owner's cursor after the last page written; null before the first. */
  after: string | null;
  updatedAt: Date;
  /** Set when the last page was written: it never runs again. */
  completedAt?: Date;
}

export interface RatingSummary {
  average: number;
  count: number;
  /** histogram[i] counts ratings of i + 1 stars. */
  histogram: number[];
}

export type ReviewConnectionModel = Connection<ReviewDocument>;
export type ReviewEdgeModel = ReviewConnectionModel['edges'][number];
export type ProductSearchResultModel = Connection<ProductReference>;
export type ProductSearchEdgeModel = ProductSearchResultModel['edges'][number];
